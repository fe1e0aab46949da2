using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PolicyCompiler.Files;

namespace Gateway.Interception.Certificates;

/// <summary>
/// The CA on disk: <c>egress-gateway-ca.pem</c> (certificate) and <c>egress-gateway-ca.key.pem</c>
/// (PKCS#8, mode 0600) in a 0700 directory. Writing a new pair is journaled so a crash at any
/// instant leaves a whole pair: the certificate goes to <c>.next</c> first, then the key replaces
/// the old key, then the certificate replaces the old certificate; the next start finishes an
/// interrupted write or discards it.
/// </summary>
internal sealed partial class CertificateAuthority
{
    /// <summary>The certificate file's name inside <c>{stateDir}/ca</c>.</summary>
    public const string CertificateFileName = "egress-gateway-ca.pem";

    /// <summary>The private key file's name inside <c>{stateDir}/ca</c>.</summary>
    public const string KeyFileName = "egress-gateway-ca.key.pem";

    private const string PendingFileName = CertificateFileName + ".next";
    private const string LockFileName = "ca.lock";
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The CA directory of a state directory.</summary>
    public static string DirectoryOf(string stateDir) => Path.Combine(stateDir, "ca");

    private static FileStream AcquireLock(string directory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                // Also when the directory existed: the key must not sit in a directory others can list.
                File.SetUnixFileMode(directory, OwnerOnlyDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateAuthorityException($"{directory}: cannot create the CA directory ({e.Message}); pick another --state-dir or run as the gateway's user", e);
        }

        string path = Path.Combine(directory, LockFileName);
        long deadline = Stopwatch.GetTimestamp() + (long)(s_lockTimeout.TotalSeconds * Stopwatch.Frequency);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix: the daemon and a CLI command starting
                // at the same moment must not each create a CA and overwrite the other's.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new CertificateAuthorityException($"{path}: cannot lock the CA directory ({e.Message}); run as the gateway's user", e);
            }
            catch (IOException) when (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Sleep(Math.Min(10 << Math.Min(attempt, 4), 100));
            }
            catch (IOException e)
            {
                throw new CertificateAuthorityException($"{path}: another gateway process holds the CA lock for over {s_lockTimeout.TotalSeconds:0}s", e);
            }
        }
    }

    private static void Store(string directory, X509Certificate2 certificate, ECDsa key)
    {
        byte[] certificatePem = Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n");
        string pending = Path.Combine(directory, PendingFileName);
        AtomicFile.Write(pending, certificatePem);
        AtomicFile.Write(Path.Combine(directory, KeyFileName), key, static (stream, key) =>
        {
            // Before the first byte of the key lands: the file is never readable by anyone else.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(((FileStream)stream).SafeFileHandle, OwnerOnlyFile);
            }

            stream.Write(Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"));
        });
        AtomicFile.Write(Path.Combine(directory, CertificateFileName), certificatePem);
        File.Delete(pending);
    }

    // A crash after the key was replaced but before the certificate was: the pending certificate
    // matches the new key and completes the pair. A crash before that: the old pair is whole and
    // the pending certificate is dropped.
    private static void RecoverInterruptedWrite(string directory)
    {
        string pending = Path.Combine(directory, PendingFileName);
        if (!File.Exists(pending))
        {
            return;
        }

        string keyPath = Path.Combine(directory, KeyFileName);
        bool completes = false;
        try
        {
            using X509Certificate2 next = X509Certificate2.CreateFromPem(File.ReadAllText(pending));
            using var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            completes = Matches(next, key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            // Unreadable either way: the old pair, if whole, stays; Load reports what is wrong with it.
        }

        if (completes)
        {
            AtomicFile.Write(Path.Combine(directory, CertificateFileName), File.ReadAllBytes(pending));
        }

        File.Delete(pending);
    }

    private static (X509Certificate2 Certificate, ECDsa Key) ReadPair(string directory)
    {
        string certificatePath = Path.Combine(directory, CertificateFileName);
        string keyPath = Path.Combine(directory, KeyFileName);
        const string Fix = "restore it from a backup, or replace the pair with `gateway ca rotate`";
        string certificatePem = ReadText(certificatePath, Fix);
        string keyPem = ReadText(keyPath, Fix);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException($"{certificatePath}: not a PEM certificate ({e.Message}); {Fix}", e);
        }

        var key = ECDsa.Create();
        try
        {
            try
            {
                key.ImportFromPem(keyPem);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new CertificateAuthorityException($"{keyPath}: not a PEM ECDSA private key ({e.Message}); {Fix}", e);
            }

            if (certificate.Extensions[Oids.BasicConstraints] is not X509BasicConstraintsExtension { CertificateAuthority: true })
            {
                throw new CertificateAuthorityException($"{certificatePath}: not a CA certificate (basicConstraints CA:TRUE missing); {Fix}");
            }

            if (!Matches(certificate, key))
            {
                throw new CertificateAuthorityException($"{keyPath}: does not match the certificate {certificatePath}; {Fix}");
            }

            return (certificate, key);
        }
        catch
        {
            certificate.Dispose();
            key.Dispose();
            throw;
        }
    }

    private static string ReadText(string path, string fix)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException e)
        {
            throw new CertificateAuthorityException($"{path}: missing while the other half of the CA pair exists; {fix}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateAuthorityException($"{path}: cannot read ({e.Message}); run as the gateway's user", e);
        }
    }

    private static bool Matches(X509Certificate2 certificate, ECDsa key)
    {
        using ECDsa? certificateKey = certificate.GetECDsaPublicKey();
        return certificateKey is not null
            && certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());
    }

    private static class Oids
    {
        public const string BasicConstraints = "2.5.29.19";
    }
}
