# scripts/nginx-origin.sh - nginx_origin_start DIR PORT FILE CONNECTIONS: an nginx origin for the benchmarks (sourced
# by bench/middlewares.sh and bench/soak.sh).
#
# Writes DIR/nginx.conf for one worker on 127.0.0.1:PORT answering every path with DIR/www/FILE (the caller puts the
# file there), keep-alive without a request limit and no access log, so the origin costs as little as it can; then
# starts nginx in the foreground of a background job. The caller records the job's PID from $! to stop it.
nginx_origin_start() {
  local dir="$1" port="$2" file="$3" connections="$4"
  mkdir -p "$dir/www" "$dir/tmp"
  cat > "$dir/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid nginx.pid;
error_log error.log warn;
events { worker_connections $connections; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 10000000;
    client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root www;
        location / { try_files /$file =404; }
    }
}
NGINX
  nginx -p "$dir/" -c "$dir/nginx.conf" &
}
