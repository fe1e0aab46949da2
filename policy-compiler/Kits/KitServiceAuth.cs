namespace PolicyCompiler.Kits;

/// <summary>How the proxy presents a credential to a bound host (<c>network.serviceAuth.ID</c>).</summary>
/// <param name="Source">The credential source id.</param>
/// <param name="HeaderName">The request header the proxy sets, e.g. "Authorization" ("Authorization" for the bearer, basic and aws-sigv4 schemes; unused by query).</param>
/// <param name="ValueFormat">The header value with exactly one "%s" where the credential goes, e.g. "Bearer %s".</param>
/// <param name="Override">
/// True (the default): the header replaces whatever the sandbox sent. False: a header the sandbox sent
/// that is neither empty nor the placeholder is left alone.
/// </param>
public sealed record KitServiceAuth(string Source, string HeaderName, string ValueFormat, bool Override = true)
{
    /// <summary>The scheme; <see cref="KitAuthScheme.Header"/> when the kit names none.</summary>
    public KitAuthScheme Scheme { get; init; }

    /// <summary>For <see cref="KitAuthScheme.Basic"/>: the user name (git over HTTPS: "x-access-token").</summary>
    public string? Username { get; init; }

    /// <summary>For <see cref="KitAuthScheme.Query"/>: the query parameter that carries the credential.</summary>
    public string? Parameter { get; init; }

    /// <summary>For <see cref="KitAuthScheme.AwsSigV4"/>: the signing region, or null to take it from the host name.</summary>
    public string? Region { get; init; }

    /// <summary>For <see cref="KitAuthScheme.AwsSigV4"/>: the signing service, or null to take it from the host name.</summary>
    public string? Service { get; init; }

    /// <summary>The header value for a credential: <see cref="ValueFormat"/> with "%s" replaced.</summary>
    public string FormatValue(string credential) => ValueFormat.Replace("%s", credential, StringComparison.Ordinal);
}
