namespace Gateway.Policy;

/// <summary>
/// <c>POST /policy/rules/remove</c>: what <c>gateway policy rm network (--resource P | --id UUID) [--sandbox]</c>
/// asks; exactly one of <paramref name="Resource"/> and <paramref name="Id"/>.
/// </summary>
/// <param name="Resource">A pattern to take out of every local rule of the scope that has it.</param>
/// <param name="Id">A local rule's id, with or without the "local:" prefix.</param>
/// <param name="Sandbox">The scope: the rules of this sandbox, or null for the rules of every sandbox.</param>
internal sealed record RuleRemoveRequest(string? Resource = null, string? Id = null, string? Sandbox = null);
