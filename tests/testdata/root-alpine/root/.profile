export ENV=$HOME/.ashrc
export CLOUDFLARE_API_KEY=3f2a9c8e7d6b5a4c3b2a1f0e9d8c7b6a
