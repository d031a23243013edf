-- wrk script for scripts/bench-serve.sh: every request POSTs the next line of LINES_FILE as
-- {"text": line} (single sentences, cycling through the file) to /translate.
local lines = {}
local next_line = 0
for line in io.lines(os.getenv("LINES_FILE")) do
  -- JSON string: escape backslashes and quotes; the test set has no control characters
  local escaped = line:gsub("\\", "\\\\"):gsub('"', '\\"')
  lines[#lines + 1] = '{"text": "' .. escaped .. '"}'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  next_line = next_line % #lines + 1
  return wrk.format(nil, "/translate", nil, lines[next_line])
end
