// A test shared library that loads fine but is not a rivven-connect plugin.
extern "C" __attribute__((visibility("default"))) int just_a_function() { return 7; }
