-- Argo CD health check for sharpness.dev/SamTrainingJob (see docs/gitops.md).
-- Health follows status.phase, which only the operator writes:
--   Succeeded -> Healthy, Failed -> Degraded, Suspended -> Suspended,
--   Pending, Starting, Running, Restarting (or no status yet) -> Progressing.
-- The message comes from the Failed or Complete condition when there is one, else the phase.

local function trueCondition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, condition in ipairs(status.conditions) do
    if condition.type == conditionType and condition.status == "True" then
      return condition
    end
  end
  return nil
end

-- "Reason: message", or whichever of the two the condition has.
local function describe(condition, fallback)
  if condition == nil then
    return fallback
  end
  if condition.reason ~= nil and condition.message ~= nil and condition.message ~= "" then
    return condition.reason .. ": " .. condition.message
  end
  return condition.message or condition.reason or fallback
end

local hs = {}
if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end

local status = obj.status
local phase = status.phase

-- A status written for an older generation says nothing about the spec that was just synced.
if status.observedGeneration ~= nil and obj.metadata.generation ~= nil
    and status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end

if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = describe(trueCondition(status, "Complete"), "Succeeded")
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = describe(trueCondition(status, "Failed"), "Failed")
elseif phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = describe(trueCondition(status, "Suspended"), "Suspended")
else
  -- Pending, Starting, Running, Restarting, and any phase a newer operator adds.
  hs.status = "Progressing"
  hs.message = phase
  if status.progress ~= nil and status.progress.percent ~= nil then
    hs.message = phase .. " (" .. math.floor(status.progress.percent + 0.5) .. "%)"
  end
end
return hs
