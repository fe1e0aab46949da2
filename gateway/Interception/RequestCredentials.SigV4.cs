using Gateway.Credentials;

namespace Gateway.Interception;

/// <summary>SigV4 re-signing of a request whose binding says <c>scheme: aws-sigv4</c>.</summary>
internal sealed partial class RequestCredentials
{
    /// <summary>The re-signing the handler prepared for <see cref="SigV4"/> (payload hash settled); the transformer signs with it.</summary>
    public SigV4Signing? Signing { get; set; }
}
