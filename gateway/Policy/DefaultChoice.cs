namespace Gateway.Policy;

/// <summary><c>PUT /policy/default</c> in and out: the default network policy (allow-all, balanced, deny-all).</summary>
internal sealed record DefaultChoice(string Default);
