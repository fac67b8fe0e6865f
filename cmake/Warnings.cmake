# Warnings for the project's own targets (dependencies are SYSTEM includes).
function(mm_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough
                                           -Wno-missing-field-initializers)
  if(MM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
