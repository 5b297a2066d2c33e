# The README's quickstart code block must be sample-server/quickstart.cpp (from its first
# #include on), which is compiled: the documented code cannot rot.
# cmake -DREADME=README.md -DSOURCE=sample-server/quickstart.cpp -P readme_quickstart.cmake
file(READ "${README}" readme)
file(READ "${SOURCE}" source)
string(FIND "${readme}" "## Quickstart: link the SDK" section)
if(section EQUAL -1)
  message(FATAL_ERROR "${README}: no \"## Quickstart: link the SDK\" section")
endif()
string(SUBSTRING "${readme}" ${section} -1 readme)
string(FIND "${readme}" "```cpp\n" open)
if(open EQUAL -1)
  message(FATAL_ERROR "${README}: the quickstart section has no ```cpp block")
endif()
math(EXPR open "${open} + 7")
string(SUBSTRING "${readme}" ${open} -1 readme)
string(FIND "${readme}" "```\n" close)
string(SUBSTRING "${readme}" 0 ${close} block)
string(FIND "${source}" "#include" first)
string(SUBSTRING "${source}" ${first} -1 code)
if(NOT block STREQUAL code)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/readme-quickstart.cpp" "${block}")
  message(FATAL_ERROR "the README's quickstart differs from ${SOURCE}: compare "
                      "${CMAKE_CURRENT_BINARY_DIR}/readme-quickstart.cpp with it and copy the "
                      "source into the README")
endif()
