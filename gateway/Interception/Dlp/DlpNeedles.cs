using System.Buffers;

namespace Gateway.Interception.Dlp;

/// <summary>
/// One compiled needle set: the fixed prefixes of every secret shape, the placeholder markers, and every
/// searched form of every credential value the gateway holds, in one <see cref="SearchValues{T}"/> of strings
/// (ordinal; vectorised multi-string search, no regular expression). Immutable; <see cref="HeldSecrets"/>
/// builds a new one when the gateway learns a new credential value, which is rare.
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

    private readonly string[] _needles;
    private readonly DlpNeedleKind[] _kinds;

    private DlpNeedles(string[] needles, DlpNeedleKind[] kinds)
    {
        _needles = needles;
        _kinds = kinds;
        Starts = SearchValues.Create(needles, StringComparison.Ordinal);
        int longest = 0;
        foreach (string needle in needles)
        {
            longest = Math.Max(longest, needle.Length);
        }

        Longest = longest;
        Carry = Math.Max(DlpShapes.MaxLookahead, longest);
    }

    /// <summary>The shapes and placeholder markers alone: what is searched before any credential was fetched.</summary>
    public static DlpNeedles ShapesOnly { get; } = Build([]);

    /// <summary>Where any needle occurs.</summary>
    public SearchValues<string> Starts { get; }

    /// <summary>The longest needle's length.</summary>
    public int Longest { get; }

    /// <summary>Characters a streamed scan keeps between windows: enough to verify any shape and to find any needle split across two.</summary>
    public int Carry { get; }

    /// <summary>Needles and shapes for <paramref name="credentialForms"/> (searched forms of held values, see <see cref="DlpEncodings"/>).</summary>
    public static DlpNeedles Build(IReadOnlyCollection<string> credentialForms)
    {
        var needles = new List<string>(s_shapes.Length + credentialForms.Count);
        var kinds = new List<DlpNeedleKind>(needles.Capacity);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // Credentials first: a credential that happens to have a shape's prefix is reported as what it is.
        foreach (string form in credentialForms)
        {
            if (seen.Add(form))
            {
                needles.Add(form);
                kinds.Add(DlpNeedleKind.Credential);
            }
        }

        foreach ((string needle, DlpNeedleKind kind) in s_shapes)
        {
            needles.Add(needle);
            kinds.Add(kind);
        }

        return new DlpNeedles([.. needles], [.. kinds]);
    }

    /// <summary>
    /// Verifies every needle that starts at <paramref name="at"/> in <paramref name="text"/> (one at least does:
    /// <see cref="Starts"/> found it). Returns the first hit; <paramref name="needMore"/> when some needle there
    /// could not be decided before the text ends.
    /// </summary>
    public DlpPattern VerifyAt(ReadOnlySpan<char> text, int at, char before, bool final, bool identityHeader, in DlpContext context, out bool needMore)
    {
        needMore = false;
        ReadOnlySpan<char> rest = text[at..];
        for (int i = 0; i < _needles.Length; i++)
        {
            if (!rest.StartsWith(_needles[i], StringComparison.Ordinal))
            {
                continue;
            }

            switch (DlpShapes.Verify(_kinds[i], rest, before, final, identityHeader, context, out DlpPattern pattern))
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
