using System.Buffers;
using Gateway.Interception.Forwarding;

namespace Gateway.Interception.Dlp;

/// <summary>
/// One compiled needle set: the fixed prefixes of every secret shape and the placeholder markers, in one
/// <see cref="SearchValues{T}"/> of strings (ordinal; vectorised multi-string search, no regular expression),
/// and every searched form of every credential value the gateway holds (<see cref="DlpCredentialIndex"/>).
/// Immutable; <see cref="HeldSecrets"/> builds a new one when the gateway learns a new credential value, which is rare.
/// </summary>
internal sealed class DlpNeedles
{
    private static readonly (string Needle, DlpNeedleKind Kind)[] s_shapes =
    [
        ("AKIA", DlpNeedleKind.AwsKeyId), ("ASIA", DlpNeedleKind.AwsKeyId),
        ("ghp_", DlpNeedleKind.GithubToken), ("gho_", DlpNeedleKind.GithubToken), ("ghu_", DlpNeedleKind.GithubToken),
        ("ghs_", DlpNeedleKind.GithubToken), ("ghr_", DlpNeedleKind.GithubToken), ("github_pat_", DlpNeedleKind.GithubPat),
        ("glpat-", DlpNeedleKind.GitlabToken),
        ("xoxb-", DlpNeedleKind.SlackToken), ("xoxp-", DlpNeedleKind.SlackToken), ("xoxa-", DlpNeedleKind.SlackToken),
        ("xoxr-", DlpNeedleKind.SlackToken), ("xoxs-", DlpNeedleKind.SlackToken), ("xoxe-", DlpNeedleKind.SlackToken),
        ("sk_live_", DlpNeedleKind.StripeKey), ("rk_live_", DlpNeedleKind.StripeKey),
        ("-----BEGIN ", DlpNeedleKind.PrivateKey),
        ("eyJ", DlpNeedleKind.Jwt),
        ("\"private_key", DlpNeedleKind.GoogleServiceAccount),
        (Placeholders.Prefix, DlpNeedleKind.Placeholder), (Placeholders.KeyIdPrefix, DlpNeedleKind.Placeholder),
        (Placeholders.SecretKeyPrefix, DlpNeedleKind.Placeholder),
    ];

    private static readonly SearchValues<string> s_starts = Starts_();

    private DlpNeedles(DlpCredentialIndex credentials, int longestCredential)
    {
        Credentials = credentials;
        int longest = longestCredential;
        foreach ((string needle, DlpNeedleKind _) in s_shapes)
        {
            longest = Math.Max(longest, needle.Length);
        }

        Longest = longest;
        Carry = Math.Max(DlpShapes.MaxLookahead, longest);
    }

    /// <summary>The shapes and placeholder markers alone: what is searched before any credential was fetched.</summary>
    public static DlpNeedles ShapesOnly { get; } = Build([]);

    /// <summary>Where a shape's prefix or a placeholder marker occurs (a vectorised search over ~20 short needles).</summary>
    public SearchValues<string> Starts => s_starts;

    /// <summary>The searched forms of the held credential values.</summary>
    public DlpCredentialIndex Credentials { get; }

    /// <summary>The longest needle's length.</summary>
    public int Longest { get; }

    /// <summary>Characters a streamed scan keeps between windows: enough to verify any shape and to find any needle split across two.</summary>
    public int Carry { get; }

    /// <summary>Needles and shapes for <paramref name="credentialForms"/> (searched forms of held values, see <see cref="DlpEncodings"/>).</summary>
    public static DlpNeedles Build(IReadOnlyCollection<string> credentialForms)
    {
        var forms = new HashSet<string>(credentialForms, StringComparer.Ordinal);
        int longest = 0;
        foreach (string form in forms)
        {
            longest = Math.Max(longest, form.Length);
        }

        return new DlpNeedles(new DlpCredentialIndex(forms), longest);
    }

    /// <summary>The first secret in <paramref name="text"/>: a held credential anywhere in it, else the first verified shape.</summary>
    public DlpPattern Find(ReadOnlySpan<char> text, char before, bool final, bool identityHeader, in DlpContext context, out int deferred)
    {
        deferred = -1;
        if (Credentials.Occurs(text))
        {
            return DlpPattern.Credential;
        }

        int position = 0;
        while (position < text.Length)
        {
            int found = text[position..].IndexOfAny(s_starts);
            if (found < 0)
            {
                break;
            }

            int at = position + found;
            DlpPattern pattern = VerifyAt(text, at, at > 0 ? text[at - 1] : before, final, identityHeader, context, out bool needMore);
            if (pattern != DlpPattern.None)
            {
                return pattern;
            }

            if (needMore && deferred < 0)
            {
                deferred = at;
            }

            position = at + 1;
        }

        return DlpPattern.None;
    }

    private static SearchValues<string> Starts_()
    {
        var needles = new string[s_shapes.Length];
        for (int i = 0; i < needles.Length; i++)
        {
            needles[i] = s_shapes[i].Needle;
        }

        return SearchValues.Create(needles, StringComparison.Ordinal);
    }

    // Verifies every shape needle that starts at `at` (one at least does: the search found it). Returns the
    // first hit; needMore when some needle there could not be decided before the text ends.
    private static DlpPattern VerifyAt(ReadOnlySpan<char> text, int at, char before, bool final, bool identityHeader, in DlpContext context, out bool needMore)
    {
        needMore = false;
        ReadOnlySpan<char> rest = text[at..];
        foreach ((string needle, DlpNeedleKind kind) in s_shapes)
        {
            if (!rest.StartsWith(needle, StringComparison.Ordinal))
            {
                continue;
            }

            switch (DlpShapes.Verify(kind, rest, before, final, identityHeader, context, out DlpPattern pattern))
            {
                case DlpVerdict.Hit:
                    return pattern;
                case DlpVerdict.NeedMore:
                    needMore = true;
                    break;
                default:
                    break;
            }
        }

        return DlpPattern.None;
    }
}
