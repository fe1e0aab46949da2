#!/usr/bin/python3
"""A SigV4 verifier built on botocore (Debian python3-botocore), an implementation independent
of the gateway's signer, used by the gateway's tests in two ways:

  aws_origin.py check   < cases.json   verify each request of a JSON array, print a JSON array of verdicts
  aws_origin.py serve   CERT KEY LOG   an HTTPS origin for s3.* and sts.* test names: every request is
                                       verified first (403 SignatureDoesNotMatch otherwise), then answered
                                       like a tiny S3 (PUT/GET object) or STS (GetCallerIdentity)

The real keys come from the environment: ORIGIN_KEY_ID, ORIGIN_SECRET, ORIGIN_TOKEN (optional),
ORIGIN_REGION, and ORIGIN_TOKEN_SERVICES (the services whose requests must carry the token; default
"s3 sts"). The service is s3 for s3.* names and sts otherwise. A request passes only when its Authorization names the real key id and the expected
region and service, its signature is what botocore computes with the real secret over exactly the
headers it lists, its x-amz-security-token is the real token (when one is expected), and a hex
x-amz-content-sha256 is the SHA-256 of the body received.
"""
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import threading

from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def verify(method, target, headers, body, key_id, secret, token, region, service):
    """headers: list of (name, value) as received. Returns "ok" or why not."""
    lower = [(n.lower(), v) for n, v in headers]

    def values(name):
        return [v for n, v in lower if n == name]

    auth = values('authorization')
    if len(auth) != 1 or not auth[0].startswith('AWS4-HMAC-SHA256 '):
        return 'no AWS4-HMAC-SHA256 Authorization header'
    fields = {}
    for part in auth[0][len('AWS4-HMAC-SHA256 '):].split(','):
        name, _, value = part.strip().partition('=')
        fields[name] = value
    credential = fields.get('Credential', '').split('/')
    if len(credential) != 5 or credential[4] != 'aws4_request':
        return 'malformed Credential'
    if credential[0] != key_id:
        return 'signed with access key id %s, not the real one' % credential[0]
    if credential[2] != region or credential[3] != service:
        return 'scope %s/%s, expected %s/%s' % (credential[2], credential[3], region, service)
    amz_date = values('x-amz-date')
    if len(amz_date) != 1 or not amz_date[0].startswith(credential[1]):
        return 'x-amz-date missing or not of the credential date'
    sent_token = values('x-amz-security-token')
    if token:
        if sent_token != [token]:
            return 'x-amz-security-token is not the real session token'
    elif sent_token:
        return 'x-amz-security-token sent but the key pair has none'
    declared = values('x-amz-content-sha256')
    if declared and len(declared[0]) == 64 and declared[0] != hashlib.sha256(body).hexdigest():
        return 'x-amz-content-sha256 is not the SHA-256 of the body received'
    signed = fields.get('SignedHeaders', '').split(';')
    if 'host' not in signed or 'x-amz-date' not in signed:
        return 'host or x-amz-date not signed'
    if token and 'x-amz-security-token' not in signed:
        return 'x-amz-security-token not signed'

    host = values('host')[0]
    request = AWSRequest(method=method, url='https://' + host + target, data=body)
    for name in signed:
        lines = values(name)
        if not lines:
            return 'signed header %s not received' % name
        for line in lines:
            request.headers[name] = line
    request.context['timestamp'] = amz_date[0]
    signer_type = S3SigV4Auth if service == 's3' else SigV4Auth
    signer = signer_type(Credentials(key_id, secret, token or None), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, fields.get('Signature', '')):
        return 'SignatureDoesNotMatch'
    return 'ok'


def check():
    verdicts = []
    for case in json.load(sys.stdin):
        verdicts.append(verify(case['method'], case['target'], case['headers'], bytes.fromhex(case['bodyHex']),
                               case['keyId'], case['secret'], case.get('token'), case['region'], case['service']))
    json.dump(verdicts, sys.stdout)


class Origin(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    objects = {}
    lock = threading.Lock()

    def log_message(self, format, *args):
        pass

    def read_body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            body = b''
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('Content-Length', '0')))

    def answer(self, status, body, content_type='application/xml', extra=()):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        body = self.read_body()
        host = self.headers.get('Host', '')
        service = 's3' if host.startswith('s3.') else 'sts'
        token = os.environ.get('ORIGIN_TOKEN') if service in os.environ.get('ORIGIN_TOKEN_SERVICES', 's3 sts').split() else None
        verdict = verify(self.command, self.path, list(self.headers.items()), body,
                         os.environ['ORIGIN_KEY_ID'], os.environ['ORIGIN_SECRET'], token,
                         os.environ.get('ORIGIN_REGION', 'us-east-1'), service)
        with open(self.server.log_path, 'a') as log:
            log.write(json.dumps({'method': self.command, 'host': host, 'target': self.path, 'verdict': verdict,
                                  'payload': self.headers.get('x-amz-content-sha256', '')}) + '\n')
        if verdict != 'ok':
            message = '<Error><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error>' % verdict
            if service == 'sts':  # the query protocol wraps errors
                message = '<ErrorResponse>%s</ErrorResponse>' % message
            message = message.encode()
            self.answer(403, message)
            return
        if service == 'sts':
            self.answer(200, (
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
                '<Arn>arn:aws:iam::123456789012:user/verified-by-origin</Arn><UserId>AIDAVERIFIEDORIGIN</UserId>'
                '<Account>123456789012</Account></GetCallerIdentityResult>'
                '<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>').encode(), 'text/xml')
            return
        path = self.path.split('?')[0]
        if self.command == 'PUT':
            with Origin.lock:
                Origin.objects[path] = body
            self.answer(200, b'', extra=[('ETag', '"%s"' % hashlib.md5(body).hexdigest())])
        elif self.command in ('GET', 'HEAD'):
            with Origin.lock:
                stored = Origin.objects.get(path)
            if stored is None:
                self.answer(404, b'<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>')
            else:
                self.answer(200, stored, 'application/octet-stream', [('ETag', '"%s"' % hashlib.md5(stored).hexdigest())])
        else:
            self.answer(405, b'<Error><Code>MethodNotAllowed</Code><Message>not here</Message></Error>')

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


def serve(cert, key, log_path):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Origin)
    server.daemon_threads = True
    server.log_path = log_path
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print('PORT %d' % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # runs until the test closes stdin (or kills it)
    server.shutdown()


if __name__ == '__main__':
    if sys.argv[1] == 'check':
        check()
    else:
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
