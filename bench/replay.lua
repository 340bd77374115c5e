-- wrk script for bench/run.py: replays a list of paths (one a line) instead of
-- one URL. Arguments (after `--`): the paths file, wrk's thread count and the
-- line to start from. Thread n starts n/threads of the way into the list from
-- there and wraps around, so the threads do not request the same paths at the
-- same time. The Cookie header given with -H goes with every request; a line
-- may carry its own after a tab ("path<TAB>cookie"), for mixes that sign in
-- many people (the booking page, the slots API).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  local paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no path in " .. args[1])
  end
  local threads = tonumber(args[2]) or 1
  local start = tonumber(args[3]) or 0
  requests = {}
  for i, line in ipairs(paths) do
    local path, cookie = line:match("^([^\t]*)\t(.*)$")
    if path then
      requests[i] = wrk.format(nil, path, { ["Cookie"] = cookie })
    else
      requests[i] = wrk.format(nil, line)
    end
  end
  position = (start + math.floor((id - 1) * #paths / threads)) % #paths
end

function request()
  position = position % #requests + 1
  return requests[position]
end
