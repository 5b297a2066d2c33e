# INTERFACE target carrying the project's warning flags. Not installed or exported.
add_library(imcb_warnings INTERFACE)
target_compile_options(imcb_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(IMCB_WARNINGS_AS_ERRORS)
  target_compile_options(imcb_warnings INTERFACE -Werror)
endif()
