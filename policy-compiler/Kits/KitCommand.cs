using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>
/// A secret manager's CLI as a credential source (<c>command: [ARGV…]</c>): run without a shell,
/// its trimmed standard output is the value, kept for <paramref name="Ttl"/>.
/// </summary>
/// <param name="Argv">The program (an absolute path) and its arguments.</param>
/// <param name="Ttl">How long a value is reused before the command runs again.</param>
/// <param name="Timeout">How long one run may take before it is killed and the fetch fails.</param>
public sealed record KitCommand(ImmutableArray<string> Argv, TimeSpan Ttl, TimeSpan Timeout)
{
    /// <summary>The <c>ttl</c> when none is written.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(5);

    /// <summary>The <c>timeout</c> when none is written.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
}
