#pragma once
// Pure parsers for systemd unit files (systemd.syntax(7)) and the bits of systemd semantics that
// the startup_services and scheduled_tasks collectors need: drop-in merging with "empty assignment
// resets", ExecStart= prefixes and quoting, instance specifiers, and `systemctl list-units --plain`
// output. No I/O here; see systemd_scan.h for reading a host's unit directories. Thread-compatible.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

// One "Key=Value" line of a unit file, with its section ("Unit", "Service", ...).
struct UnitAssignment {
  std::string section;
  std::string key;
  std::string value;     // trimmed; each continuation's backslash replaced by a space
  std::size_t line = 0;  // 1-based line of the key
};

// Bounds that keep hostile input cheap: longer logical lines are dropped, further assignments
// ignored.
inline constexpr std::size_t kMaxUnitLogicalLine = 64 * 1024;
inline constexpr std::size_t kMaxUnitAssignments = 4096;

// Parses a unit file or drop-in in file order. Rules (as systemd's config parser):
//  - lines whose first non-blank character is '#' or ';' are comments, also inside a continuation;
//  - every physical line is trimmed; one ending in a backslash continues on the next (the backslash
//  becomes a space);
//  - "[Section]" starts a section; assignments before any section are dropped;
//  - "Key = Value": whitespace around '=' and at both ends is trimmed; lines without '=' are
//  dropped;
//  - lines holding a NUL byte, and logical lines longer than kMaxUnitLogicalLine, are dropped.
std::vector<UnitAssignment> ParseUnitFile(std::string_view text);

// The merged configuration of a unit: its main file followed by its drop-ins, in the order they
// apply.
class UnitConfig {
 public:
  // Appends a file's assignments (later files override earlier ones).
  void Apply(const std::vector<UnitAssignment>& assignments);

  // The effective value of a single-valued setting: the last assignment, "" when unset or reset.
  std::string Get(std::string_view section, std::string_view key) const;
  // The effective list of a list setting (ExecStart=, WantedBy=, ...): every assignment in order,
  // an empty assignment clearing what came before. Values are returned as written (not split).
  std::vector<std::string> GetList(std::string_view section, std::string_view key) const;
  // Like GetList for several keys that share one list (a [Timer]'s On*= triggers): returns
  // "Key=Value" strings in order; an empty assignment to any of the keys clears the whole list, as
  // systemd does.
  std::vector<std::string> GetSharedList(std::string_view section,
                                         const std::vector<std::string_view>& keys) const;
  bool empty() const { return assignments_.empty(); }

 private:
  std::vector<UnitAssignment> assignments_;
};

// Removes ExecStart= prefixes ("-", "@", ":", "+", "!", "!!", "|") and leading blanks. When "@" was
// present the second word (the argv[0] override) is dropped too, so the result starts with the
// path.
std::string StripExecPrefixes(std::string_view exec);

// Splits a command line into words as systemd does: blanks separate words, "..." and '...' quote,
// backslash escapes the next character. An unterminated quote ends the word at the end of input.
std::vector<std::string> SplitUnitCommandLine(std::string_view cmdline);

// "getty@tty1.service" -> {"getty", "tty1", ".service"}; a template "getty@.service" has an empty
// instance; a plain unit "ssh.service" has no '@' (is_instance and is_template false).
struct UnitName {
  std::string prefix;    // before '@' (or the whole stem)
  std::string instance;  // after '@'
  std::string suffix;    // ".service", ".timer", ...
  bool has_at = false;
  bool is_template() const { return has_at && instance.empty(); }
  bool is_instance() const { return has_at && !instance.empty(); }
  // The template name of an instance ("getty@.service"); the name itself otherwise.
  std::string TemplateName() const;
};
// False for names without a '.' suffix or with characters systemd does not allow in unit names.
bool ParseUnitName(std::string_view name, UnitName* out);

// Expands the instance specifiers of systemd.unit(5) for `unit`: %n %N %p %P %i %I %j %J %f %%; the
// escaped forms (%I, %P, %J, %f) undo "\xNN" escapes and turn '-' into '/'. Unknown specifiers stay
// as is.
std::string ExpandSpecifiers(std::string_view text, const UnitName& unit);

// One line of `systemctl list-units --all --plain --no-legend --no-pager`: "UNIT LOAD ACTIVE SUB
// DESC".
struct ListedUnit {
  std::string name;
  std::string load;    // loaded, not-found, masked, ...
  std::string active;  // active, inactive, failed, activating, ...
  std::string sub;     // running, exited, dead, waiting, ...
};
// Lines with fewer than four fields are skipped; a leading status bullet ("●", "*") is ignored.
std::vector<ListedUnit> ParseListUnits(std::string_view text);

}  // namespace rampart::agent
