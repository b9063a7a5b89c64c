# The runtime tests' sources, shared by tests/runtime (the dev build) and fuzz/ (the same tests
# under ASan + UBSan in the sanitized build).
set(kiln_runtime_test_sources optim_test.cpp train_test.cpp data_test.cpp loaders_test.cpp
                              weights_test.cpp resume_test.cpp)
