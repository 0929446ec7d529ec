// A shared library that is not a Mosaic plugin: it exports a function but no
// mosaic_plugin_descriptor.
extern "C" __attribute__((visibility("default"))) int mosaic_test_not_a_plugin() { return 42; }
