# Writes OUT: a C++ source defining ShippedRuleSources() from the rule files in RULES (a list).
string(REPLACE "|" ";" RULES "${RULES}")
set(body "")
foreach(f ${RULES})
  file(READ ${f} text)
  get_filename_component(name ${f} NAME)
  string(FIND "${text}" ")rampart_yar\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter")
  endif()
  string(APPEND body "      {\"shipped:${name}\", R\"rampart_yar(${text})rampart_yar\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from rules/malware/*.yar by embed_rules.cmake. Do not edit.
#include \"agent/scan/yara_rules.h\"

namespace rampart::agent::scan {

std::vector<RuleSource> ShippedRuleSources() {
  return {
${body}  };
}

}  // namespace rampart::agent::scan
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
