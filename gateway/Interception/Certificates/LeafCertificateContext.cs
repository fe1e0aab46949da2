using System.Collections.ObjectModel;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Interception.Certificates;

/// <summary>
/// Builds the <see cref="SslStreamCertificateContext"/> for a freshly minted leaf without the
/// X509Chain that the public <see cref="SslStreamCertificateContext.Create(X509Certificate2, X509Certificate2Collection?, bool, SslCertificateTrust?)"/>
/// builds to find intermediates. A leaf signed directly by the interception root has none (Linux
/// trims the root from what it sends), yet that chain build copies every system root (~300 on
/// Debian) into a new OpenSSL store and sorts it: measured 550–900 µs of CPU per leaf, against
/// ~5 µs for the context's own constructor, which only takes a reference to the certificate and
/// its key. The constructor is private, so it is reached with <see cref="UnsafeAccessorAttribute"/>;
/// a runtime whose constructor differs gets the public path (slower, same result), and
/// <see cref="Direct"/> says which one is in use so a test notices the change.
/// </summary>
internal static class LeafCertificateContext
{
    private static volatile bool s_direct = OperatingSystem.IsLinux();

    /// <summary>True while contexts are built without a chain build.</summary>
    public static bool Direct => s_direct;

    /// <summary>The context for <paramref name="leaf"/> (with its private key), presenting no intermediates.</summary>
    public static SslStreamCertificateContext Create(X509Certificate2 leaf)
    {
        if (s_direct)
        {
            try
            {
                return Construct(leaf, ReadOnlyCollection<X509Certificate2>.Empty, trust: null);
            }
            catch (MissingMethodException)
            {
                s_direct = false;
            }
        }

        // Offline: a leaf carries no AIA to fetch from, and no request may wait on the network here.
        return SslStreamCertificateContext.Create(leaf, additionalCertificates: null, offline: true);
    }

    // System.Net.Security, SslStreamCertificateContext.Linux.cs: the constructor Create ends with.
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern SslStreamCertificateContext Construct(
        X509Certificate2 target, ReadOnlyCollection<X509Certificate2> intermediates, SslCertificateTrust? trust);
}
