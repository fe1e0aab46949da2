namespace Gateway.Policy;

/// <summary>What a removal did.</summary>
/// <param name="Sandbox">The scope asked for, or null for every sandbox.</param>
/// <param name="Removed">The rule removed by id, or null for a removal by resource.</param>
/// <param name="Resource">The pattern removed (canonical), or null for a removal by id.</param>
/// <param name="Count">How many local rules changed.</param>
internal sealed record RuleRemoval(string? Sandbox, StoredRule? Removed, string? Resource, int Count);
