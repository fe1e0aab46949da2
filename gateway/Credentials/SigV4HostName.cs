namespace Gateway.Credentials;

/// <summary>
/// Region and signing name from an AWS endpoint name: <c>SERVICE.REGION.amazonaws.com</c> and its
/// variants (bucket and access-point prefixes, dualstack and FIPS labels, legacy <c>s3-REGION</c>,
/// global endpoints such as <c>sts.amazonaws.com</c> in us-east-1, and .amazonaws.com.cn).
/// Endpoint prefixes whose signing name differs (bedrock-runtime signs as bedrock) are mapped.
/// </summary>
internal static class SigV4HostName
{
    // Parsing splits strings; a gateway signs for a handful of hosts, so each is parsed once.
    private const int MaxCached = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Region, string Service)?> s_parsed = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="host"/> (canonical, lower case) is an AWS endpoint name.</summary>
    public static bool TryParse(string host, out string region, out string service)
    {
        if (!s_parsed.TryGetValue(host, out (string Region, string Service)? parsed))
        {
            parsed = Parse(host, out string r, out string s) ? (r, s) : null;
            if (s_parsed.Count >= MaxCached)
            {
                s_parsed.Clear();
            }

            s_parsed[host] = parsed;
        }

        region = parsed?.Region ?? "";
        service = parsed?.Service ?? "";
        return parsed is not null;
    }

    private static bool Parse(string host, out string region, out string service)
    {
        region = "";
        service = "";
        bool china = host.EndsWith(".amazonaws.com.cn", StringComparison.Ordinal);
        if (!china && !host.EndsWith(".amazonaws.com", StringComparison.Ordinal))
        {
            return false;
        }

        string[] labels = host[..host.LastIndexOf(".amazonaws.com", StringComparison.Ordinal)].Split('.');
        int regionAt = -1;
        for (int i = labels.Length - 1; i >= 0 && regionAt < 0; i--)
        {
            if (IsRegion(labels[i]))
            {
                regionAt = i;
            }
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] is "s3" or "s3-control" or "s3-accesspoint" or "s3-object-lambda" or "s3-fips")
            {
                service = "s3";
            }
            else if (labels[i].StartsWith("s3-", StringComparison.Ordinal) && IsRegion(labels[i][3..]))
            {
                service = "s3";
                region = labels[i][3..];
            }
        }

        if (regionAt >= 0)
        {
            region = labels[regionAt];
        }
        else if (region.Length == 0)
        {
            region = china ? "cn-north-1" : "us-east-1"; // global endpoints (iam, sts, s3, route53)
        }

        if (service.Length == 0)
        {
            int at = regionAt > 0 ? regionAt - 1 : regionAt < 0 ? labels.Length - 1 : -1;
            while (at >= 0 && labels[at] is "dualstack" or "fips")
            {
                at--;
            }

            if (at < 0)
            {
                return false;
            }

            service = SigningName(labels[at].EndsWith("-fips", StringComparison.Ordinal) ? labels[at][..^5] : labels[at]);
        }

        return SigV4Scope.IsName(region) && SigV4Scope.IsName(service);
    }

    // Endpoint prefixes that sign under another name (from the services' models).
    private static string SigningName(string prefix) => prefix switch
    {
        "bedrock-runtime" or "bedrock-agent" or "bedrock-agent-runtime" => "bedrock",
        "email" => "ses",
        _ => prefix,
    };

    // us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-3 …
    private static bool IsRegion(string label)
    {
        string[] parts = label.Split('-');
        return parts.Length is 3 or 4
            && parts[0].Length == 2 && IsLetters(parts[0])
            && int.TryParse(parts[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            && IsLetters(parts[^2])
            && (parts.Length == 3 || IsLetters(parts[1]));
    }

    private static bool IsLetters(string text)
    {
        foreach (char c in text)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
