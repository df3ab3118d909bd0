/**
 * The Lua scripts that make each Redis decision atomic: one script call per check
 * (one round trip), reading and writing every key of the decision together.
 *
 * CHECK applies the rules of rules.ts — keep the two in step; test/guard/ compares the
 * memory store (rules.ts) with Redis (this script) on the same sequences.
 *
 * Every time is the caller's `now` (ARGV), never the server's TIME: memory and Redis then
 * decide alike, tests need no sleeps, and the script is deterministic, so Redis < 5
 * replicates it verbatim without redis.replicate_commands(). Containers' clocks agree
 * to NTP precision, so a cooldown's edge moves by at most that skew.
 *
 * Key TTLs are garbage collection only: the stored times decide. Each TTL is the entry's
 * logical end plus a grace period, so skew between callers never expires a live entry.
 *
 * Stored values:
 *   dedup mark            "<firstSeenAt>|<leaseId>"                         (string, PX)
 *   instance cooldowns    field <nodeId|*> = "<until>|<since>|<leaseId>"    (hash, PEXPIRE)
 *   kills (breaker)       member <leaseId>, score <claimedAt>               (sorted set, PEXPIRE)
 */

/** KEYS: 1 dedup mark, 2 instance cooldowns, 3 global kills, 4 instance kills. */
export const CHECK_SCRIPT = `
local now = tonumber(ARGV[1])
local field = ARGV[2]
local cooldownMs = tonumber(ARGV[3])
local dedupTtlMs = tonumber(ARGV[4])
local maxGlobal = tonumber(ARGV[5])
local maxInstance = tonumber(ARGV[6])
local windowMs = tonumber(ARGV[7])
local dryRun = ARGV[8] == '1'
local leaseId = ARGV[9]
local hasDedup = ARGV[10] == '1'
local graceMs = tonumber(ARGV[11])
local ALL = '*'

local function fmt(n) return string.format('%.0f', n) end

-- 1. dedup
if hasDedup then
  local mark = redis.call('GET', KEYS[1])
  local firstSeen = mark and tonumber(string.match(mark, '^(%d+)|'))
  if firstSeen and firstSeen + dedupTtlMs > now then
    return {'duplicate', fmt(firstSeen)}
  end
end

-- 2. cooldown: a node is blocked by its own entry and by '*'; '*' by any entry.
-- Longest-lasting entry wins; ties go to '*', then to the smaller field (as rules.ts).
local function outranks(a, b)
  if a.untilMs ~= b.untilMs then return a.untilMs > b.untilMs end
  if a.field == ALL or b.field == ALL then return a.field == ALL end
  return a.field < b.field
end
local raw = redis.call('HGETALL', KEYS[2])
local entries = {}
local best = nil
for i = 1, #raw, 2 do
  local u, s = string.match(raw[i + 1], '^(%d+)|(%d+)|')
  if u then
    local e = {field = raw[i], untilMs = tonumber(u), since = tonumber(s)}
    entries[#entries + 1] = e
    local blocks = field == ALL or e.field == field or e.field == ALL
    if e.untilMs > now and blocks and (best == nil or outranks(e, best)) then best = e end
  end
end
if best then
  local scope = 'node'
  if best.field == ALL then scope = 'instance' end
  return {'cooldown', fmt(best.untilMs), scope, fmt(best.since)}
end

-- 3. circuit breaker over the rolling window, global first
local windowStart = '(' .. fmt(now - windowMs)
local function breaker(scope, key, limit)
  local count = redis.call('ZCOUNT', key, windowStart, '+inf')
  if count < limit then return nil end
  local retryAt = now + windowMs
  if limit > 0 then
    local oldest = redis.call('ZRANGEBYSCORE', key, windowStart, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
    retryAt = tonumber(oldest[2]) + windowMs
  end
  return {'rate_limit', scope, fmt(limit), fmt(retryAt)}
end
local tripped = breaker('global', KEYS[3], maxGlobal) or breaker('instance', KEYS[4], maxInstance)
if tripped then return tripped end

if dryRun then return {'proceed'} end

-- 4. claim: dedup mark, cooldown (set now, so a concurrent call sees it), breaker counts
local untilMs = now + cooldownMs
if hasDedup then
  redis.call('SET', KEYS[1], fmt(now) .. '|' .. leaseId, 'PX', fmt(dedupTtlMs + graceMs))
end
local maxUntil = untilMs
for _, e in ipairs(entries) do
  if e.untilMs <= now and e.field ~= field then redis.call('HDEL', KEYS[2], e.field) end
  if e.untilMs > maxUntil then maxUntil = e.untilMs end
end
redis.call('HSET', KEYS[2], field, fmt(untilMs) .. '|' .. fmt(now) .. '|' .. leaseId)
redis.call('PEXPIRE', KEYS[2], fmt(maxUntil - now + graceMs))
for _, key in ipairs({KEYS[3], KEYS[4]}) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', fmt(now - windowMs))
  redis.call('ZADD', key, fmt(now), leaseId)
  redis.call('PEXPIRE', key, fmt(windowMs + graceMs))
end
return {'proceed', fmt(untilMs)}
`;

/**
 * Undoes one claim (settle 'not_sent'). Only entries still marked with the lease id are
 * removed, so a release never deletes a later claim's state.
 * KEYS as CHECK; ARGV: 1 lease id, 2 cooldown field, 3 '1' when the claim wrote a dedup mark.
 * Returns which of the claim's entries were already gone (RELEASE_VANISHED bits).
 */
export const RELEASE_SCRIPT = `
local suffix = '|' .. ARGV[1]
local function ownedBy(value) return value and string.sub(value, -#suffix) == suffix end
local vanished = 0
if ARGV[3] == '1' then
  if ownedBy(redis.call('GET', KEYS[1])) then redis.call('DEL', KEYS[1]) else vanished = vanished + 1 end
end
if ownedBy(redis.call('HGET', KEYS[2], ARGV[2])) then redis.call('HDEL', KEYS[2], ARGV[2]) else vanished = vanished + 2 end
local counted = redis.call('ZREM', KEYS[3], ARGV[1]) + redis.call('ZREM', KEYS[4], ARGV[1])
if counted < 2 then vanished = vanished + 4 end
return vanished
`;

/** The bits of RELEASE_SCRIPT's answer. */
export const RELEASE_VANISHED = { dedup: 1, cooldown: 2, kills: 4 } as const;
