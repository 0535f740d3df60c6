# Setup a red prompt for root and a green one for users.
# Symlink this file to color_prompt.sh to actually use it.
_normal=$'\e[0m'
PS1="\[\e[1;32m\]\h:\w\$ \[\e[0m\]"
[ "$USER" = root ] && PS1="\[\e[1;31m\]\h:\w\# \[\e[0m\]"
unset _normal
