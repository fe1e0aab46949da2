using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The values proxy-managed variables have inside sandboxes: random per (sandbox, variable),
/// stable while the daemon runs, never derived from the secret, so a sandbox that leaks one
/// leaks nothing. The gateway recognises them in requests and swaps in the real value only
/// toward hosts the variable's source is bound to. AWS key pairs get placeholders of their own
/// shape, so that the AWS CLI and SDKs take them for keys: a variable named <c>…ACCESS_KEY_ID</c>
/// gets "AKIA" and 16 upper-case letters and digits, one named <c>…SECRET_ACCESS_KEY</c> 40
/// base64 characters. Both begin with a fixed marker, so a leaked one is still recognised.
/// </summary>
internal sealed class Placeholders
{
    /// <summary>What every placeholder starts with, so a request can be scanned for them cheaply.</summary>
    public const string Prefix = "gw-placeholder-";

    /// <summary>Prefix plus 128 random bits in hex.</summary>
    public const int Length = 15 + 32;

    /// <summary>What an access-key-id placeholder starts with: "AKIA" as every long-term key id, then a marker.</summary>
    public const string KeyIdPrefix = "AKIAGWPH";

    /// <summary>An access key id's length: "AKIA" and 16 upper-case letters and digits.</summary>
    public const int KeyIdLength = 20;

    /// <summary>What a secret-access-key placeholder starts with.</summary>
    public const string SecretKeyPrefix = "gwplaceholder";

    /// <summary>A secret access key's length: 40 base64 characters.</summary>
    public const int SecretKeyLength = 40;

    private const string KeyIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string SecretKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _bySandbox = new(StringComparer.Ordinal);

    /// <summary>The placeholder of <paramref name="variable"/> in <paramref name="sandbox"/>, created on first use.</summary>
    public string For(string sandbox, string variable) =>
        _bySandbox.GetOrAdd(sandbox, static _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal))
            .GetOrAdd(variable, static name => Create(name));

    /// <summary>A new placeholder for <paramref name="variable"/>, shaped after what the variable holds.</summary>
    public static string Create(string variable)
    {
        if (variable.EndsWith("ACCESS_KEY_ID", StringComparison.OrdinalIgnoreCase))
        {
            return KeyIdPrefix + new string(RandomNumberGenerator.GetItems<char>(KeyIdAlphabet, KeyIdLength - KeyIdPrefix.Length));
        }

        return variable.EndsWith("SECRET_ACCESS_KEY", StringComparison.OrdinalIgnoreCase)
            ? SecretKeyPrefix + new string(RandomNumberGenerator.GetItems<char>(SecretKeyAlphabet, SecretKeyLength - SecretKeyPrefix.Length))
            : Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>The length of the placeholder whose marker starts at <paramref name="at"/> in <paramref name="text"/>; 0 for none.</summary>
    public static int LengthAt(string text, int at)
    {
        ReadOnlySpan<char> rest = text.AsSpan(at);
        return rest.StartsWith(Prefix, StringComparison.Ordinal) ? Length
            : rest.StartsWith(KeyIdPrefix, StringComparison.Ordinal) ? KeyIdLength
            : rest.StartsWith(SecretKeyPrefix, StringComparison.Ordinal) ? SecretKeyLength
            : 0;
    }

    /// <summary>True when <paramref name="sandbox"/> was ever given a placeholder (so its requests are worth scanning).</summary>
    public bool HasAny(string sandbox) => _bySandbox.ContainsKey(sandbox);

    /// <summary>The variable of the placeholder of <paramref name="sandbox"/> starting at <paramref name="at"/> in <paramref name="text"/>; null for anything else.</summary>
    public string? VariableAt(string text, int at, string sandbox)
    {
        int length = LengthAt(text, at);
        return length > 0 && at + length <= text.Length ? VariableOf(sandbox, text.AsSpan(at, length)) : null;
    }

    /// <summary>The variable of the first placeholder of <paramref name="sandbox"/> in <paramref name="text"/>, or null.</summary>
    public string? FirstIn(string text, string sandbox) =>
        FirstIn(text, sandbox, Prefix) ?? FirstIn(text, sandbox, KeyIdPrefix) ?? FirstIn(text, sandbox, SecretKeyPrefix);

    /// <summary>The variable of the first AWS-shaped placeholder (key id or secret key) of <paramref name="sandbox"/> in <paramref name="text"/>, or null.</summary>
    public string? FirstAwsIn(string text, string sandbox) =>
        FirstIn(text, sandbox, KeyIdPrefix) ?? FirstIn(text, sandbox, SecretKeyPrefix);

    private string? FirstIn(string text, string sandbox, string marker)
    {
        for (int at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            if (VariableAt(text, at, sandbox) is { } variable)
            {
                return variable;
            }
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="placeholder"/> is the placeholder of some sandbox other than <paramref name="sandbox"/>:
    /// the requester can only have it by another sandbox having leaked it (a DLP hit, see <c>Dlp.DlpShapes</c>).
    /// </summary>
    public bool BelongsToAnotherSandbox(ReadOnlySpan<char> placeholder, string sandbox)
    {
        foreach (KeyValuePair<string, ConcurrentDictionary<string, string>> other in _bySandbox)
        {
            if (!string.Equals(other.Key, sandbox, StringComparison.Ordinal) && VariableOf(other.Key, placeholder) is not null)
            {
                return true;
            }
        }

        return false;
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
