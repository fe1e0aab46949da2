using Gateway.Tests.Protocols;

namespace Gateway.Tests.Interception;

/// <summary>A theory that needs the <c>openssl</c> command line tool; skipped, saying so, where it is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenSslTheoryAttribute : TheoryAttribute
{
    public OpenSslTheoryAttribute()
    {
        if (OpenSslFactAttribute.Path is null)
        {
            Skip = "openssl is not on PATH: install it (apt-get install openssl) to verify certificates with it";
        }
    }
}
