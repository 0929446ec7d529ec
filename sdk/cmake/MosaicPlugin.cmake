# mosaic_add_plugin(<name> SOURCES <files>... [LIBRARIES <targets>...])
#
# Builds the loadable module mosaic-<name>.so that the Mosaic core finds by
# the plugin name <name>. In the Mosaic build tree modules go to the
# directory the core searches; out of tree, set MOSAIC_PLUGIN_OUTPUT_DIRECTORY
# or point MOSAIC_PLUGIN_PATH (or the config's plugin-path) at the build dir.
function(mosaic_add_plugin name)
  cmake_parse_arguments(PLUGIN "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT PLUGIN_SOURCES)
    message(FATAL_ERROR "mosaic_add_plugin(${name}): SOURCES is required")
  endif()
  set(target mosaic-${name})
  add_library(${target} MODULE ${PLUGIN_SOURCES})
  target_link_libraries(${target} PRIVATE mosaic::sdk ${PLUGIN_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME mosaic-${name}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(MOSAIC_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${MOSAIC_PLUGIN_OUTPUT_DIRECTORY})
  endif()
endfunction()
