export GOPATH=$HOME/go
[[ -f ~/.bashrc ]] && . ~/.bashrc
