# .bash_profile

# Get the aliases and functions
if [ -f ~/.bashrc ]; then
	. ~/.bashrc
fi

# User specific environment and startup programs
export VAULT_TOKEN=s.Xk29fjQw8Lm3
export http_proxy=http://ops:pr0xyPw@proxy.corp.example:8080
