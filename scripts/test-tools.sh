#!/usr/bin/env bash
# The programs and fonts the tests need besides Node and PostgreSQL: run by `npm test` (pretest), `npm run
# test:docx` and .ci/run. When something is missing it installs it as root on Debian/Ubuntu (saying so first),
# and otherwise stops at once with the exact command to run.
set -euo pipefail

# What the tests need: "Debian package=kind:what". kind is cmd (a program on PATH) or font (a fontconfig family
# name, an extended regular expression). Add a line here for a new tool or font.
REQUIREMENTS=(
  "chromium=cmd:chromium"                   # test/web (Playwright drives the system Chromium)
  "libreoffice-writer-nogui=cmd:soffice"    # test/docx, test/archive: DOCX to PDF
  "poppler-utils=cmd:pdftotext"             # layout checks read the PDF's text
  "poppler-utils=cmd:pdffonts"              # and its embedded fonts
  "clamav=cmd:clamscan"                     # test/archive: the virus scan of the four checks (四性检测)
  "fonts-noto-cjk=font:Noto (Serif|Sans) CJK"
  # the rendering font set (libs/docx/fonts/fonts.conf): 仿宋's stand-in, 楷体, and Latin digits at body size
  "fonts-arphic-gbsn00lp=font:AR PL SungtiL GB"
  "fonts-arphic-gkai00mp=font:AR PL KaitiM GB"
  "fonts-lxgw-wenkai=font:LXGW WenKai"
  "fonts-liberation2=font:Liberation Serif"
)

has() {
  local kind=${1%%:*} what=${1#*:}
  case $kind in
    cmd) command -v "$what" >/dev/null 2>&1 ;;
    # no `fc-list | grep -q`: under pipefail grep's early exit can fail the pipe
    font) [ -n "$(fc-list : family 2>/dev/null | grep -E -i "$what" || true)" ] ;;
    *) echo "test-tools: unknown requirement kind '$kind'" >&2; return 1 ;;
  esac
}

missing=() packages=()
for req in "${REQUIREMENTS[@]}"; do
  pkg=${req%%=*} check=${req#*=}
  if ! has "$check"; then
    missing+=("${check#*:}")
    [[ " ${packages[*]} " == *" $pkg "* ]] || packages+=("$pkg")
  fi
done
((${#missing[@]} == 0)) && exit 0

install="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages[*]}"
debian=false # Debian, Ubuntu and their derivatives: apt-get is there
command -v apt-get >/dev/null 2>&1 && debian=true

if $debian && [ "$(id -u)" -eq 0 ]; then
  echo "test-tools: missing ${missing[*]}; installing the Debian packages ${packages[*]} (running as root):"
  echo "  $install"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
  for req in "${REQUIREMENTS[@]}"; do
    check=${req#*=}
    has "$check" || { echo "test-tools: ${check#*:} is still missing after installing ${packages[*]}" >&2; exit 1; }
  done
  exit 0
fi

{
  echo "test-tools: the tests need ${missing[*]}, which this machine lacks."
  if $debian; then
    echo "Install them (Debian/Ubuntu) with:"
    echo "  sudo sh -c '$install'"
  else
    echo "Install the equivalents of the Debian packages ${packages[*]} with your system's package manager."
  fi
  echo "Then run the tests again. (\`npm run test:unit\` runs the tests that need none of them.)"
} >&2
exit 1
