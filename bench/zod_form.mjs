// The create-instance rules as a zod/mini schema: the peer of hootsuite-events in the Node
// benchmark and in the browser one (which loads this file into the page).
export function zodFormSchema(z) {
  const nonBlank = z.string().check(z.regex(/\S/))
  const url = z.string().check(z.regex(/^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#\s]+/))
  return z
    .object({
      element: z.object({ key: z.literal('hootsuite') }),
      providerData: z.object({ code: nonBlank }),
      configuration: z.looseObject({
        'oauth.callback.url': url,
        'oauth.api.key': nonBlank,
        'oauth.api.secret': nonBlank,
        'event.notification.enabled': z.optional(z.union([z.boolean(), z.literal('true'), z.literal('false')])),
        'event.notification.callback.url': z.optional(url),
        'event.notification.signature.key': z.optional(nonBlank),
      }),
      tags: z.optional(z.array(nonBlank)),
      name: nonBlank,
    })
    .check(z.refine((b) => !(b.configuration['event.notification.enabled'] === true || b.configuration['event.notification.enabled'] === 'true') || b.configuration['event.notification.callback.url'] !== undefined))
}
