//! Build script: the linker settings of a Node.js addon.
fn main() {
    napi_build::setup();
}
