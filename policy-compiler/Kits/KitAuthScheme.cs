namespace PolicyCompiler.Kits;

/// <summary>How a credential is presented to its hosts (<c>network.serviceAuth.ID.scheme</c>).</summary>
public enum KitAuthScheme : byte
{
    /// <summary>No scheme: <c>headerName</c> with <c>valueFormat</c> (sbx's own form).</summary>
    Header,

    /// <summary><c>bearer</c>: <c>Authorization: Bearer TOKEN</c>.</summary>
    Bearer,

    /// <summary><c>basic</c>: <c>Authorization: Basic base64(username:TOKEN)</c>.</summary>
    Basic,

    /// <summary><c>query</c>: the URL query parameter <c>parameter</c> set to the token.</summary>
    Query,

    /// <summary><c>aws-sigv4</c>: the request re-signed with the real AWS keys.</summary>
    AwsSigV4,
}
