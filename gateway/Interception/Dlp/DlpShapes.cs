using Gateway.Interception.Forwarding;

namespace Gateway.Interception.Dlp;

/// <summary>
/// Verifies a needle occurrence against its secret shape. The needles (<see cref="DlpNeedles"/>) are the
/// rare, fixed prefixes of each shape; this checks what follows with plain character-class loops, never a
/// regular expression. Each check looks at most <see cref="MaxLookahead"/> characters past the needle's
/// start, which bounds what a streamed scan keeps between windows. Shapes demand a boundary before the
/// prefix (so a prefix inside a longer base64 run is no hit) and the vendor's minimum length after it.
/// </summary>
internal static class DlpShapes
{
    /// <summary>The most characters any verification reads from the needle's start.</summary>
    public const int MaxLookahead = 3 + JwtMaxHeader + 1 + 3 + JwtMinRun + 1;

    // A JWT header is a small JSON object ({"alg":"RS256","kid":"…","typ":"JWT"}); 512 base64url
    // characters hold 384 bytes, well past any issuer's header.
    private const int JwtMaxHeader = 512;
    private const int JwtMinRun = 7;

    /// <summary>
    /// Verifies the occurrence of a <paramref name="kind"/> needle at the start of <paramref name="text"/>;
    /// <paramref name="before"/> is the character before it ('\0' at the start of a field). In
    /// <paramref name="identityHeader"/> (Authorization, Cookie) key ids and JWTs are what a client presents
    /// to the host it talks to, so those two shapes are not checked there.
    /// </summary>
    public static DlpVerdict Verify(DlpNeedleKind kind, ReadOnlySpan<char> text, char before, bool final, bool identityHeader, in DlpContext context, out DlpPattern pattern)
    {
        pattern = Pattern(kind);
        return kind switch
        {
            DlpNeedleKind.Placeholder => Placeholder(text, final, context),
            DlpNeedleKind.AwsKeyId => identityHeader ? DlpVerdict.Miss : AwsKeyId(text, before, final),
            DlpNeedleKind.GithubToken => Run(text, 4, 36, before, final, Alnum),
            DlpNeedleKind.GithubPat => Run(text, 11, 60, before, final, Word),
            DlpNeedleKind.GitlabToken => Run(text, 6, 20, before, final, WordDash),
            DlpNeedleKind.SlackToken => Slack(text, before, final),
            DlpNeedleKind.StripeKey => Run(text, 8, 20, before, final, Alnum),
            DlpNeedleKind.PrivateKey => PrivateKey(text, final),
            DlpNeedleKind.Jwt => identityHeader ? DlpVerdict.Miss : Jwt(text, before, final),
            DlpNeedleKind.GoogleServiceAccount => ServiceAccount(text, final),
            _ => DlpVerdict.Miss,
        };
    }

    private static DlpPattern Pattern(DlpNeedleKind kind) => kind switch
    {
        DlpNeedleKind.Placeholder => DlpPattern.Placeholder,
        DlpNeedleKind.AwsKeyId => DlpPattern.AwsAccessKeyId,
        DlpNeedleKind.GithubToken or DlpNeedleKind.GithubPat => DlpPattern.GithubToken,
        DlpNeedleKind.GitlabToken => DlpPattern.GitlabToken,
        DlpNeedleKind.SlackToken => DlpPattern.SlackToken,
        DlpNeedleKind.StripeKey => DlpPattern.StripeKey,
        DlpNeedleKind.PrivateKey => DlpPattern.PrivateKey,
        DlpNeedleKind.Jwt => DlpPattern.Jwt,
        _ => DlpPattern.GoogleServiceAccount,
    };

    // At least `min` characters of `allowed` after a `prefix`-long prefix, which follows no letter or digit.
    private static DlpVerdict Run(ReadOnlySpan<char> text, int prefix, int min, char before, bool final, Func<char, bool> allowed)
    {
        if (Alnum(before))
        {
            return DlpVerdict.Miss;
        }

        int count = Count(text[prefix..], min, allowed);
        return count >= min ? DlpVerdict.Hit : Undecided(text.Length, prefix + count, final);
    }

    // AWS documents AKIAIOSFODNN7EXAMPLE and AKIAI44QH8DHBEXAMPLE as example key ids; they fill docs, SDK
    // tests and READMEs, so ids ending in EXAMPLE are let through. AKIAGWPH… are the gateway's placeholders,
    // checked as placeholders.
    private static DlpVerdict AwsKeyId(ReadOnlySpan<char> text, char before, bool final)
    {
        const int Length = 20;
        if (Alnum(before) || text.StartsWith(Placeholders.KeyIdPrefix, StringComparison.Ordinal))
        {
            return DlpVerdict.Miss;
        }

        int count = Count(text[4..], Length - 4, UpperOrDigit);
        if (count < Length - 4)
        {
            return Undecided(text.Length, 4 + count, final);
        }

        if (text.Length == Length)
        {
            return final ? Verdict(text) : DlpVerdict.NeedMore;
        }

        return Alnum(text[Length]) ? DlpVerdict.Miss : Verdict(text);

        static DlpVerdict Verdict(ReadOnlySpan<char> text) =>
            text[..Length].EndsWith("EXAMPLE", StringComparison.Ordinal) ? DlpVerdict.Miss : DlpVerdict.Hit;
    }

    private static DlpVerdict Slack(ReadOnlySpan<char> text, char before, bool final)
    {
        const int Min = 20;
        if (Alnum(before))
        {
            return DlpVerdict.Miss;
        }

        ReadOnlySpan<char> rest = text[5..];
        int count = Count(rest, Min, AlnumDash);
        if (count < Min)
        {
            return Undecided(text.Length, 5 + count, final);
        }

        // Real tokens carry numeric team and user ids; "xoxb-this-is-not-a-token-at-all" does not.
        return rest[..Min].IndexOfAnyInRange('0', '9') >= 0 ? DlpVerdict.Hit : DlpVerdict.Miss;
    }

    // "-----BEGIN " LABEL "-----" where LABEL ends in "PRIVATE KEY" (RFC 7468 §10, OpenSSH, PGP's "PRIVATE KEY BLOCK").
    private static DlpVerdict PrivateKey(ReadOnlySpan<char> text, bool final)
    {
        const int Prefix = 11;
        const int MaxLabel = 40;
        ReadOnlySpan<char> rest = text[Prefix..];
        int end = rest[..Math.Min(rest.Length, MaxLabel + 5)].IndexOf("-----", StringComparison.Ordinal);
        if (end < 0)
        {
            return rest.Length >= MaxLabel + 5 || final ? DlpVerdict.Miss : DlpVerdict.NeedMore;
        }

        ReadOnlySpan<char> label = rest[..end];
        return label.EndsWith("PRIVATE KEY", StringComparison.Ordinal) || label.EndsWith("PRIVATE KEY BLOCK", StringComparison.Ordinal)
            ? DlpVerdict.Hit
            : DlpVerdict.Miss;
    }

    // RFC 7519 §3: BASE64URL(header) "." BASE64URL(payload) "." signature. Both JSON objects start with "{\"",
    // which base64url-encodes to "eyJ"; demanding it twice, joined by a dot, keeps random base64 out.
    private static DlpVerdict Jwt(ReadOnlySpan<char> text, char before, bool final)
    {
        if (Base64Url(before) || before == '.')
        {
            return DlpVerdict.Miss;
        }

        int header = Count(text[3..], JwtMaxHeader, Base64Url);
        int dot = 3 + header;
        if (dot >= text.Length)
        {
            return header >= JwtMaxHeader || final ? DlpVerdict.Miss : DlpVerdict.NeedMore;
        }

        if (text[dot] != '.' || header < JwtMinRun)
        {
            return DlpVerdict.Miss;
        }

        ReadOnlySpan<char> payload = text[(dot + 1)..];
        int prefix = Math.Min(payload.Length, 3);
        if (!"eyJ".AsSpan(0, prefix).SequenceEqual(payload[..prefix]))
        {
            return DlpVerdict.Miss;
        }

        int run = prefix == 3 ? Count(payload[3..], JwtMinRun, Base64Url) : 0;
        return prefix == 3 && run >= JwtMinRun ? DlpVerdict.Hit : Undecided(text.Length, dot + 1 + prefix + run, final);
    }

    // A service-account key file: "private_key": "-----BEGIN PRIVATE KEY-----\n…", also inside a JSON string (\").
    private static DlpVerdict ServiceAccount(ReadOnlySpan<char> text, bool final)
    {
        const int MaxSpace = 16;
        int at = 12; // past "\"private_key"
        if (!Expect(text, ref at, '"', final, out DlpVerdict verdict))
        {
            return verdict;
        }

        at += Count(text[at..], MaxSpace, Space);
        if (!Expect(text, ref at, ':', final, out verdict))
        {
            return verdict;
        }

        at += Count(text[at..], MaxSpace, Space);
        if (!Expect(text, ref at, '"', final, out verdict))
        {
            return verdict;
        }

        ReadOnlySpan<char> value = text[at..];
        ReadOnlySpan<char> begin = "-----BEGIN";
        int length = Math.Min(value.Length, begin.Length);
        if (!value[..length].SequenceEqual(begin[..length]))
        {
            return DlpVerdict.Miss;
        }

        return length == begin.Length ? DlpVerdict.Hit : final ? DlpVerdict.Miss : DlpVerdict.NeedMore;
    }

    // A quote may come escaped (\") when the key file travels inside another JSON string.
    private static bool Expect(ReadOnlySpan<char> text, ref int at, char expected, bool final, out DlpVerdict verdict)
    {
        if (expected == '"' && at < text.Length && text[at] == '\\')
        {
            at++;
        }

        if (at >= text.Length)
        {
            verdict = final ? DlpVerdict.Miss : DlpVerdict.NeedMore;
            return false;
        }

        verdict = DlpVerdict.Miss;
        if (text[at] != expected)
        {
            return false;
        }

        at++;
        return true;
    }

    private static DlpVerdict Placeholder(ReadOnlySpan<char> text, bool final, in DlpContext context)
    {
        int length = text.StartsWith(Placeholders.Prefix, StringComparison.Ordinal) ? Placeholders.Length
            : text.StartsWith(Placeholders.KeyIdPrefix, StringComparison.Ordinal) ? Placeholders.KeyIdLength
            : Placeholders.SecretKeyLength;
        if (text.Length < length)
        {
            return final ? DlpVerdict.Miss : DlpVerdict.NeedMore;
        }

        return context.Placeholders is { } placeholders && placeholders.BelongsToAnotherSandbox(text[..length], context.Sandbox)
            ? DlpVerdict.Hit
            : DlpVerdict.Miss;
    }

    // The run ended inside the text: a miss. It reached the end of the text: more may come, unless this is all.
    private static DlpVerdict Undecided(int available, int reached, bool final) =>
        reached < available || final ? DlpVerdict.Miss : DlpVerdict.NeedMore;

    private static int Count(ReadOnlySpan<char> text, int max, Func<char, bool> allowed)
    {
        int limit = Math.Min(text.Length, max);
        int i = 0;
        while (i < limit && allowed(text[i]))
        {
            i++;
        }

        return i;
    }

    private static bool Alnum(char c) => char.IsAsciiLetterOrDigit(c);

    private static bool UpperOrDigit(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);

    private static bool Word(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool WordDash(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    private static bool AlnumDash(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    private static bool Base64Url(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    private static bool Space(char c) => c is ' ' or '\t' or '\r' or '\n';
}
