namespace Gateway.Credentials;

/// <summary>
/// The region and service a re-signed request is scoped to: the kit's <c>region</c> and
/// <c>service</c> when it names them, else what the AWS host name says
/// (<c>bedrock-runtime.us-east-1.amazonaws.com</c> → us-east-1, bedrock), else what the sandbox's
/// own signature was scoped to (a custom endpoint name such as a VPC endpoint alias), else none.
/// </summary>
/// <param name="Region">The region, e.g. us-east-1.</param>
/// <param name="Service">The signing name of the service, e.g. bedrock, s3, sts.</param>
internal readonly record struct SigV4Scope(string Region, string Service)
{
    /// <summary>Longest region or service name accepted (names are short; the bound sizes stack buffers).</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// Picks the scope: each of <paramref name="kitRegion"/> and <paramref name="kitService"/> when set,
    /// the rest from <paramref name="host"/>, then from the sandbox's <paramref name="sentAuthorization"/>.
    /// False when a part is still unknown or not a valid name.
    /// </summary>
    public static bool TryResolve(string? kitRegion, string? kitService, string host, string? sentAuthorization, out SigV4Scope scope)
    {
        string? region = kitRegion;
        string? service = kitService;
        if ((region is null || service is null) && SigV4HostName.TryParse(host, out string hostRegion, out string hostService))
        {
            region ??= hostRegion;
            service ??= hostService;
        }

        if ((region is null || service is null) && SigV4Authorization.TryParse(sentAuthorization, out SigV4Authorization sent))
        {
            region ??= sent.Region;
            service ??= sent.Service;
        }

        scope = new SigV4Scope(region ?? "", service ?? "");
        return IsName(scope.Region) && IsName(scope.Service);
    }

    /// <summary>True for a region or service name: 1 to 64 of a-z, 0-9 and '-'.</summary>
    public static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
