namespace Gateway.Policy;

/// <summary>Why a policy edit was refused; the admin API answers each with its own status.</summary>
internal enum PolicyEditFailure
{
    /// <summary>The request itself is wrong (a bad pattern, an unknown sandbox, a built-in group): 400.</summary>
    Invalid,

    /// <summary>Nothing matches what the edit names (a rule id, a resource): 404.</summary>
    NotFound,

    /// <summary>The change is saved, but the running gateway could not compile it and keeps the previous policy: 409.</summary>
    NotLive,
}
