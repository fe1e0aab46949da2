using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Gateway.Interception;

/// <summary>
/// The values proxy-managed variables have inside sandboxes: random per (sandbox, variable),
/// stable while the daemon runs, never derived from the secret, so a sandbox that leaks one
/// leaks nothing. The gateway recognises them in requests and swaps in the real value only
/// toward hosts the variable's source is bound to.
/// </summary>
internal sealed class Placeholders
{
    /// <summary>What every placeholder starts with, so a request can be scanned for them cheaply.</summary>
    public const string Prefix = "gw-placeholder-";

    /// <summary>Prefix plus 128 random bits in hex.</summary>
    public const int Length = 15 + 32;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _bySandbox = new(StringComparer.Ordinal);

    /// <summary>The placeholder of <paramref name="variable"/> in <paramref name="sandbox"/>, created on first use.</summary>
    public string For(string sandbox, string variable) =>
        _bySandbox.GetOrAdd(sandbox, static _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal))
            .GetOrAdd(variable, static _ => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    /// <summary>True when <paramref name="sandbox"/> was ever given a placeholder (so its requests are worth scanning).</summary>
    public bool HasAny(string sandbox) => _bySandbox.ContainsKey(sandbox);

    /// <summary>The variable of the placeholder of <paramref name="sandbox"/> starting at <paramref name="at"/> in <paramref name="text"/>; null for anything else.</summary>
    public string? VariableAt(string text, int at, string sandbox) =>
        at + Length <= text.Length ? VariableOf(sandbox, text.AsSpan(at, Length)) : null;

    /// <summary>The variable of the first placeholder of <paramref name="sandbox"/> in <paramref name="text"/>, or null.</summary>
    public string? FirstIn(string text, string sandbox)
    {
        for (int at = text.IndexOf(Prefix, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Prefix, at + 1, StringComparison.Ordinal))
        {
            if (VariableAt(text, at, sandbox) is { } variable)
            {
                return variable;
            }
        }

        return null;
    }

    /// <summary>The variable whose placeholder in <paramref name="sandbox"/> is <paramref name="placeholder"/>; null for any other text.</summary>
    public string? VariableOf(string sandbox, ReadOnlySpan<char> placeholder)
    {
        if (!_bySandbox.TryGetValue(sandbox, out ConcurrentDictionary<string, string>? variables))
        {
            return null;
        }

        foreach (KeyValuePair<string, string> pair in variables)
        {
            // Constant time: the comparison must not tell a probing sandbox how much of a guess was right.
            if (placeholder.Length == pair.Value.Length
                && CryptographicOperations.FixedTimeEquals(
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(placeholder),
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(pair.Value.AsSpan())))
            {
                return pair.Key;
            }
        }

        return null;
    }
}
