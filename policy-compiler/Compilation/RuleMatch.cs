namespace PolicyCompiler.Compilation;

/// <summary>
/// One (rule, pattern) attached to a trie node or an address. Kept small and flat: the
/// matcher scans these in arrays, never through references.
/// </summary>
internal readonly record struct RuleMatch(int RuleIndex, int PatternIndex, int Port, bool IsDeny, int KitIndex)
{
    /// <summary>Rules that apply to every sandbox, not just those started with a kit.</summary>
    public const int Global = -1;

    public bool Applies(int port, KitSet kits) =>
        (Port == 0 || Port == port) && (KitIndex == Global || kits.Contains(KitIndex));
}
