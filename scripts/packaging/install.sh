#!/bin/sh
# Installs (or upgrades) Pingyi from this unpacked archive: /opt/pingyi, user pingyi, /etc/pingyi/pingyi.env (kept if
# present), the systemd unit. Run as root from the archive's folder. Does not start the service.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root / 请以 root 运行" >&2; exit 1; }
getent group pingyi >/dev/null || groupadd --system pingyi
getent passwd pingyi >/dev/null || useradd --system --gid pingyi --home-dir /var/lib/pingyi --shell /usr/sbin/nologin pingyi
install -d -o pingyi -g pingyi -m 0700 /var/lib/pingyi
install -d -m 0755 /etc/pingyi
[ -e /etc/pingyi/pingyi.env ] || install -m 0640 -g pingyi "$here/pingyi.env" /etc/pingyi/pingyi.env
rm -rf /opt/pingyi.new
mkdir -p /opt/pingyi.new
cp -R "$here/pingyi" "$here/Resources" "$here/Public" "$here/INSTALL.md" "$here/VERSION" "$here/pingyi.env" /opt/pingyi.new/
if [ -d /opt/pingyi ]; then rm -rf /opt/pingyi.old; mv /opt/pingyi /opt/pingyi.old; fi
mv /opt/pingyi.new /opt/pingyi
if [ -d /etc/systemd/system ]; then
  install -m 0644 "$here/pingyi.service" /etc/systemd/system/pingyi.service
  command -v systemctl >/dev/null && systemctl daemon-reload 2>/dev/null || true
fi
echo "已安装 / installed: $(/opt/pingyi/pingyi --version)"
