using System.Runtime.CompilerServices;

namespace PolicyCompiler.Compilation;

/// <summary>
/// One (rule, pattern) attached to a trie node or an address. Kept small and flat: the
/// matcher scans these in arrays, never through references.
/// </summary>
internal readonly record struct RuleMatch(int RuleIndex, int PatternIndex, int Port, bool IsDeny, int KitIndex)
{
    /// <summary>Rules that apply to every sandbox, not just those started with a kit.</summary>
    public const int Global = -1;

    public bool Applies(int port, KitSet kits) => Applies(port, kits.Bits);

    /// <summary>As <see cref="Applies(int, KitSet)"/> on the set's bits: no call, no copy of the set to memory, few branches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Applies(int port, ulong kits) =>
        (Port == 0 | Port == port) && (KitIndex == Global | ((uint)KitIndex < KitSet.Capacity && ((kits >> KitIndex) & 1) != 0));
}
