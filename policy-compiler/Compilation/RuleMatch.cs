using System.Runtime.CompilerServices;

namespace PolicyCompiler.Compilation;

/// <summary>
/// One (rule, pattern) attached to a trie node or an address. Kept small and flat: the
/// matcher scans these in arrays, never through references. <see cref="KitIndex"/> is the
/// rule's scope: <see cref="Global"/> for every sandbox, 0-63 for a kit's sandboxes, and
/// <see cref="SandboxScope"/>(i) for the one sandbox with scope index i (a rule is never
/// scoped to a kit and a sandbox at once), so a scoped rule costs the matcher one compare.
/// </summary>
internal readonly record struct RuleMatch(int RuleIndex, int PatternIndex, int Port, bool IsDeny, int KitIndex)
{
    /// <summary>Rules that apply to every sandbox, not just those started with a kit.</summary>
    public const int Global = -1;

    /// <summary>The <see cref="KitIndex"/> of a rule scoped to the sandbox with scope index <paramref name="index"/>.</summary>
    public static int SandboxScope(int index) => -2 - index;

    public bool Applies(int port, KitSet kits) => Applies(port, kits.Bits, kits.SandboxCode);

    /// <summary>
    /// As <see cref="Applies(int, KitSet)"/> on the set's bits and sandbox code: no call, no copy
    /// of the set to memory, few branches. <paramref name="sandbox"/> is <see cref="Global"/> for a
    /// sandbox no rule is scoped to, which only global rules equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Applies(int port, ulong kits, int sandbox) =>
        (Port == 0 | Port == port)
        && (KitIndex == Global | KitIndex == sandbox | ((uint)KitIndex < KitSet.Capacity && ((kits >> KitIndex) & 1) != 0));
}
