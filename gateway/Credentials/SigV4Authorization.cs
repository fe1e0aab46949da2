namespace Gateway.Credentials;

/// <summary>
/// The parts of a SigV4 <c>Authorization</c> header the sandbox sent that re-signing uses: its
/// credential scope (a fallback for region and service) and its signed-headers list (headers the
/// client meant to be covered stay covered). Its key id and signature are ignored: whatever key
/// the sandbox signed with is replaced.
/// </summary>
internal readonly struct SigV4Authorization
{
    private const string Algorithm = "AWS4-HMAC-SHA256 ";
    private readonly string _value;
    private readonly Range _region;
    private readonly Range _service;
    private readonly Range _signedHeaders;

    private SigV4Authorization(string value, Range region, Range service, Range signedHeaders)
    {
        _value = value;
        _region = region;
        _service = service;
        _signedHeaders = signedHeaders;
    }

    /// <summary>The region of the sandbox's credential scope.</summary>
    public string Region => _value[_region];

    /// <summary>The service of the sandbox's credential scope.</summary>
    public string Service => _value[_service];

    /// <summary>The lower-case header names the sandbox signed, separated by ';'.</summary>
    public ReadOnlySpan<char> SignedHeaders => _value.AsSpan()[_signedHeaders];

    /// <summary>True when <paramref name="name"/> is in <see cref="SignedHeaders"/> (case-insensitive).</summary>
    public bool Signed(ReadOnlySpan<char> name)
    {
        ReadOnlySpan<char> list = SignedHeaders;
        foreach (Range range in list.Split(';'))
        {
            if (list[range].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses <paramref name="value"/>; false for anything but a well-formed AWS4-HMAC-SHA256 header.</summary>
    public static bool TryParse(string? value, out SigV4Authorization authorization)
    {
        authorization = default;
        if (value is null || !value.StartsWith(Algorithm, StringComparison.Ordinal))
        {
            return false;
        }

        Range credential = default;
        Range signedHeaders = default;
        bool haveCredential = false;
        bool haveSignedHeaders = false;
        ReadOnlySpan<char> text = value;
        foreach (Range part in text[Algorithm.Length..].Split(','))
        {
            int start = part.Start.GetOffset(text.Length - Algorithm.Length) + Algorithm.Length;
            int end = part.End.GetOffset(text.Length - Algorithm.Length) + Algorithm.Length;
            while (start < end && text[start] == ' ')
            {
                start++;
            }

            ReadOnlySpan<char> field = text[start..end].TrimEnd(' ');
            if (field.StartsWith("Credential="))
            {
                credential = new Range(start + "Credential=".Length, start + field.Length);
                haveCredential = true;
            }
            else if (field.StartsWith("SignedHeaders="))
            {
                signedHeaders = new Range(start + "SignedHeaders=".Length, start + field.Length);
                haveSignedHeaders = true;
            }
        }

        // Credential=KEY/DATE/REGION/SERVICE/aws4_request
        if (!haveCredential || !haveSignedHeaders)
        {
            return false;
        }

        Span<Range> scope = stackalloc Range[6];
        ReadOnlySpan<char> credentialText = text[credential];
        if (credentialText.Split(scope, '/') != 5 || credentialText[scope[4]] is not "aws4_request")
        {
            return false;
        }

        int offset = credential.Start.Value;
        authorization = new SigV4Authorization(
            value,
            new Range(offset + scope[2].Start.Value, offset + scope[2].End.Value),
            new Range(offset + scope[3].Start.Value, offset + scope[3].End.Value),
            signedHeaders);
        return true;
    }
}
