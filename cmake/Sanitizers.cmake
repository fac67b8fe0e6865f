# Sanitizers apply to everything built, so that the libraries' code is checked too.
if(MM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12 warns falsely inside Beast's parser and Asio's coroutine frames when
  # instrumented; those warnings stay warnings here (the plain build keeps -Werror).
  add_compile_options(-Wno-error=maybe-uninitialized -Wno-error=mismatched-new-delete)
endif()
if(MM_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # GCC 12 warns that TSan does not model std::atomic_thread_fence, which
  # Boost.Asio's handler recycling uses; a race it hides would show as a report
  # in Asio's frames, where the suppressions file would have to name it.
  add_compile_options(-Wno-tsan)
endif()
