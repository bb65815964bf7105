# RIVVEN_SANITIZE: build every target of this project with GCC's or Clang's sanitizers.
#   -DRIVVEN_SANITIZE=address,undefined   ASan + UBSan (build/asan, `make sanitize`)
#   -DRIVVEN_SANITIZE=thread              TSan (build/tsan, `make sanitize`)
# Empty (the default) builds without them. The flags are directory-wide compile and link options,
# so they reach our libraries, executables, tests and plugins but nothing we do not compile
# (Debian's libraries, libwabt.a, the wasm32 guests built by a separate clang command).
#
# -O1 keeps the instrumented code fast enough for the integration tests while leaving the stack
# traces readable; -g1 gives them file:line at a fraction of full debug info's build and link
# time; frame pointers make the allocation and race stacks cheap and complete. A UBSan finding
# stops the process (no recovery), so a test cannot pass with undefined behaviour in it.
set(RIVVEN_SANITIZE "" CACHE STRING
    "Sanitizers for every project target: address,undefined | thread | empty for none")

if(RIVVEN_SANITIZE)
  string(REPLACE "," ";" rivven_sanitizers "${RIVVEN_SANITIZE}")
  foreach(s ${rivven_sanitizers})
    if(NOT s MATCHES "^(address|undefined|thread)$")
      message(FATAL_ERROR "RIVVEN_SANITIZE=${RIVVEN_SANITIZE}: unknown sanitizer '${s}' "
                          "(expected address, undefined or thread, comma-separated)")
    endif()
  endforeach()
  if("thread" IN_LIST rivven_sanitizers AND "address" IN_LIST rivven_sanitizers)
    message(FATAL_ERROR "RIVVEN_SANITIZE=${RIVVEN_SANITIZE}: thread and address cannot be "
                        "combined in one build (use two build trees)")
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "RIVVEN_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
  endif()

  set(rivven_sanitize_flags -fsanitize=${RIVVEN_SANITIZE} -fno-omit-frame-pointer)
  if("undefined" IN_LIST rivven_sanitizers)
    list(APPEND rivven_sanitize_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${rivven_sanitize_flags} -O1 -g1)
  add_link_options(${rivven_sanitize_flags})
  if("address" IN_LIST rivven_sanitizers)
    # libstdc++'s checked operator[], front(), back() on empty containers, etc.: ASan does not see
    # an index past size() but inside capacity(). Does not change the ABI.
    add_compile_definitions(_GLIBCXX_ASSERTIONS)
  endif()
  message(STATUS "rivven: sanitizers ${RIVVEN_SANITIZE} on every project target")
endif()
