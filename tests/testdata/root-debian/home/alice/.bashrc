# ~/.bashrc: executed by bash(1) for non-login shells.
case $- in
    *i*) ;;
      *) return;;
esac

HISTCONTROL=ignoreboth
HISTSIZE=1000 HISTFILESIZE=2000

export PATH="$HOME/bin:$HOME/.local/bin:$PATH"
export PGPASSWORD=hunter2
export KUBECONFIG=$HOME/.kube/config:$HOME/.kube/staging \
       VAULT_ADDR=https://vault.corp.example:8200
export GREETING="hello
world"
alias ll='ls -alF'
