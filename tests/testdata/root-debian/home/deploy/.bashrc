export DEPLOY_ENV=prod
export SLACK_WEBHOOK_URL=https://hooks.slack.example/services/T000/B000/XXXX
export GIT_AUTHOR_NAME="Deploy Bot"
