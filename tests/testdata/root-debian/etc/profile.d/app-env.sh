# Application settings pushed by config management. Do not edit.
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
declare -x GITHUB_TOKEN="ghp_16C7e42F292c6912E7710c838347Ae178B4a"
APP_ENV=production; export APP_ENV
[ -n "$DEBUG" ] && export APP_LOG_LEVEL=debug
export REDIS_URL="redis://:r3disPass@10.0.0.12:6379/0"
export MYSQL_DSN="app:dbpass@tcp(10.0.0.13:3306)/app?parseTime=true"
