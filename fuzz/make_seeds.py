#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ (run from anywhere; rewrites only the
seeds named here, so inputs added by hand or by fuzzing are kept). Seeds: the vendor's
two example requests, RFC examples, one input per error class and per limit."""
import base64
import pathlib

root = pathlib.Path(__file__).resolve().parent / "corpus"

VENDOR_ID = b"138"
VENDOR_SECRET = b"e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"
VENDOR_AUTH = b"Basic " + base64.b64encode(VENDOR_ID + b":" + VENDOR_SECRET)
USERNAME_BODY = b"grant_type=password&username=john_doe&password=john_doe_secret"
EMAIL_BODY = b"grant_type=password&email_address=john_doe@domain.com&password=john_doe_secret"
# RFC 6749 4.3.2 and 2.3.1 examples.
RFC_AUTH = b"Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"
RFC_BODY = b"grant_type=password&username=johndoe&password=A3ddj3w"


def write(target, name, data):
    directory = root / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


# form: a body.
form = {
    "vendor_username": USERNAME_BODY,
    "vendor_email": EMAIL_BODY,
    "rfc6749_4.3.2": RFC_BODY,
    "rfc6749_body_client_auth": b"grant_type=password&client_id=s6BhdRkqt3&client_secret=7Fjfp0ZBr1KtDRbnfVdmIw&username=johndoe&password=A3ddj3w",
    "encoded_values": b"grant_type=password&username=john+doe&password=p%40ss%2Bw%C3%B6rd",
    "encoded_name": b"grant%5Ftype=password&user%6Eame=x&pass+word=y",
    "lone_percent": b"password=%&username=%4&scope=%zz%4g%%41",
    "empty_sequences": b"&&grant_type=password&&&username&password=&",
    "no_equals": b"password",
    "empty": b"",
    "duplicate": b"grant_type=password&grant_type=password",
    "duplicate_encoded": b"password=a&p%61ssword=b",
    "duplicate_empty": b"username=&username=x",
    "unknown_parameters": b"foo=bar&grant_type=password&baz&=qux&==",
    "nul_bytes": b"grant_type=pass\x00word&username=\x00&password=%00",
    "high_bytes": b"password=\xff\xfe%ff&username=\xc3\xa9",
    "too_many_parameters": b"&".join(b"p%d=v" % i for i in range(33)),
    "parameter_too_large": b"password=" + b"a" * 4097,
    "name_too_large": b"a" * 4097 + b"=1",
    "body_too_large": b"grant_type=password&x=" + b"b" * 16400,
    "long_encoded_name": b"%67%72%61%6e%74%5f%74%79%70%65%5f=1&grant_typ%65=password",
}
for name, data in form.items():
    write("form", name, data)

# basic_auth: first byte 0-5 round trip (even: form_urlencoded, odd: raw; /2: style),
# then a length byte for the id; >= 6: the raw header value.
RAW = b"\x06"
basic = {
    "vendor": RAW + VENDOR_AUTH,
    "rfc6749_2.3.1": RAW + RFC_AUTH,
    "rfc7617_example": RAW + b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "lowercase_scheme": RAW + b"basic " + base64.b64encode(b"138:s3cret"),
    "ows_and_spaces": RAW + b" \tBASIC   " + base64.b64encode(b"138:s3cret") + b"\t ",
    "tab_separator": RAW + b"Basic\t" + base64.b64encode(b"138:s3cret"),
    "bearer": RAW + b"Bearer mF_9.B5f-4.1JqM",
    "scheme_only": RAW + b"Basic",
    "scheme_space": RAW + b"Basic ",
    "bad_length": RAW + b"Basic MTM4OnMzY3JldA=",
    "bad_alphabet": RAW + b"Basic MTM4-nMzY3_ldA==",
    "stray_bits": RAW + b"Basic MTM4OnMzY3JldB==",
    "inner_padding": RAW + b"Basic MT==OnMzY3JldA==",
    "padding_only": RAW + b"Basic ====",
    "no_colon": RAW + b"Basic " + base64.b64encode(b"138s3cret"),
    "empty_id": RAW + b"Basic " + base64.b64encode(b":s3cret"),
    "empty_secret": RAW + b"Basic " + base64.b64encode(b"138:"),
    "control_character": RAW + b"Basic " + base64.b64encode(b"138:s3\x01cret"),
    "del_character": RAW + b"Basic " + base64.b64encode(b"138:s3\x7fcret"),
    "encoded_credentials": RAW + b"Basic " + base64.b64encode(b"a%3Ab+c:s%25+%zz%4"),
    "encoded_control_characters": RAW + b"Basic " + base64.b64encode(b"138%0D%0Alogin OK%00:x"),
    "utf8_credentials": RAW + b"Basic " + base64.b64encode("clïent:sécret".encode()),
    "too_large": RAW + b"Basic " + base64.b64encode(b"138:" + b"s" * 3100),
    "round_trip_form": b"\x00\x03138" + VENDOR_SECRET,
    "round_trip_raw": b"\x01\x03138" + VENDOR_SECRET,
    "round_trip_colon": b"\x02\x05a:b c%s:e+c%41\x01",
    "round_trip_upper": b"\x04\x04\xff\x00: \x7f\x80%%",
    "round_trip_empty_id": b"\x00\x00secret",
    "round_trip_raw_controls": b"\x03\x04a:\x01b\x00se:c\x1fret",
}
for name, data in basic.items():
    write("basic_auth", name, data)

# json: first byte % 3: 0 string, 1 success body (bit 1: 8-byte expires_in first;
# members split at 0x1E), 2 error body (code (byte >> 2) % 7).
json = {
    "ascii": b"\x00hello world",
    "escapes": b"\x00\"\\/\b\f\n\r\t\x00\x01\x1f\x7f",
    "utf8": b"\x00" + "é€𝄞 ü".encode(),
    "overlong": b"\x00\xc0\x80\xc1\xbf\xe0\x80\x80\xf0\x80\x80\x80",
    "surrogate": b"\x00\xed\xa0\x80\xed\xbf\xbf",
    "beyond_unicode": b"\x00\xf4\x90\x80\x80\xf5\x80\x80\x80\xff",
    "truncated": b"\x00\xe2\x82\xf0\x9f\x98",
    "lone_continuation": b"\x00\x80\xbf",
    "boundaries": b"\x00\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
    "vendor_token": b"\x07\x80\x3a\x09\x00\x00\x00\x00\x00" + b"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88\x1ebearer\x1e17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef",
    "rfc6749_5.1": b"\x07\x10\x0e\x00\x00\x00\x00\x00\x00" + b"2YotnFZFEjr1zCsicMWpAA\x1eexample\x1etGzv3JOkF0XG5Qx2TlKWIA\x1eread write",
    "token_no_expiry": b"\x01abc\x1eBearer\x1e\x1e",
    "token_max_expiry": b"\x07\xff\xff\xff\xff\xff\xff\xff\xff" + b"a\"b\x1e\x01\x1e\xff\x1es c",
    "error_invalid_request": b"\x02The grant_type parameter is required.",
    "error_server_error": b"\x1a\x00An unknown error \"happened\".\xc3",
    "error_invalid_client": b"\x05The Basic credentials are malformed.",
}
for name, data in json.items():
    write("json", name, data)

# endpoint: flags, then method \n target \n Content-Type \n Authorization \n body.
FORM = b"application/x-www-form-urlencoded"
TARGET = b"/v2/marketing/oauth/token"


def request(flags, body, method=b"POST", target=TARGET, content_type=FORM, auth=VENDOR_AUTH):
    return bytes([flags]) + b"\n".join([method, target, content_type, auth, body])


def basic_header(user_pass):
    return b"Basic " + base64.b64encode(user_pass)


HAS = 0x03  # Content-Type and Authorization present
endpoint = {
    "vendor_username": request(HAS, USERNAME_BODY),
    "vendor_email": request(HAS, EMAIL_BODY),
    "rfc6749_4.3.2": request(HAS, RFC_BODY, target=b"/token", auth=RFC_AUTH, content_type=FORM),
    "rfc6749_profile_user_rejected": request(HAS | 0x04, b"grant_type=password&username=john_doe&password=wrong"),
    "social_id_user_rejected": request(HAS, b"grant_type=password&username=john_doe&password=wrong"),
    "unknown_user": request(HAS, b"grant_type=password&username=jane&password=john_doe_secret"),
    "method_get": request(HAS, USERNAME_BODY, method=b"GET"),
    "method_lowercase": request(HAS, USERNAME_BODY, method=b"post"),
    "query_in_target": request(HAS, b"", target=TARGET + b"?" + USERNAME_BODY),
    "bare_question_mark": request(HAS, USERNAME_BODY, target=TARGET + b"?"),
    "content_type_json": request(HAS, USERNAME_BODY, content_type=b"application/json"),
    "content_type_charset": request(HAS, USERNAME_BODY, content_type=b"Application/X-WWW-Form-URLEncoded ; charset=UTF-8"),
    "content_type_missing": request(0x02, USERNAME_BODY),
    "body_too_large": request(HAS | 0x20, USERNAME_BODY + b"&x=" + b"y" * 300),
    "too_many_parameters": request(HAS | 0x20, USERNAME_BODY + b"&a&b&c&d&e&f"),
    "parameter_too_large": request(HAS | 0x20, USERNAME_BODY + b"&scope=" + b"s" * 65),
    "duplicate_parameter": request(HAS, USERNAME_BODY + b"&password=other"),
    "authorization_too_large": request(HAS | 0x20, USERNAME_BODY, auth=basic_header(b"138:" + b"s" * 100)),
    "authorization_bearer": request(HAS, USERNAME_BODY, auth=b"Bearer mF_9.B5f-4.1JqM"),
    "authorization_malformed": request(HAS, USERNAME_BODY, auth=b"Basic MTM4OnMzY3JldA="),
    "authorization_empty_id": request(HAS, USERNAME_BODY, auth=basic_header(b":" + VENDOR_SECRET)),
    "authorization_missing": request(0x01, USERNAME_BODY),
    "body_auth_disabled": request(0x01, USERNAME_BODY + b"&client_id=138&client_secret=" + VENDOR_SECRET),
    "body_auth_allowed": request(0x01 | 0x08, USERNAME_BODY + b"&client_id=138&client_secret=" + VENDOR_SECRET),
    "body_auth_no_secret": request(0x01 | 0x08, USERNAME_BODY + b"&client_id=138"),
    "body_auth_no_id": request(0x01 | 0x08, USERNAME_BODY + b"&client_secret=x"),
    "two_auth_methods": request(HAS | 0x08, USERNAME_BODY + b"&client_id=138"),
    "client_rejected": request(HAS, USERNAME_BODY, auth=basic_header(b"138:wrong")),
    "unauthorized_client": request(HAS, USERNAME_BODY, auth=basic_header(b"no-password-grant:other-secret")),
    "encoded_client": request(HAS, b"grant_type=password&username=x+y&password=p%25w%2Bd%C3%A9", auth=basic_header(b"a%3Ab+c%25:s%2Bcr%25t%3A")),
    "raw_client": request(HAS | 0x10, b"grant_type=password&username=x+y&password=p%25w%2Bd%C3%A9", auth=basic_header(b"raw+id%:s+cr%t:")),
    "missing_grant_type": request(HAS, b"username=john_doe&password=john_doe_secret"),
    "unsupported_grant_type": request(HAS, b"grant_type=client_credentials&username=john_doe&password=john_doe_secret"),
    "grant_type_case": request(HAS, b"grant_type=Password&username=john_doe&password=john_doe_secret"),
    "missing_identifier": request(HAS, b"grant_type=password&password=john_doe_secret"),
    "conflicting_identifiers": request(HAS, b"grant_type=password&username=john_doe&email_address=john_doe@domain.com&password=john_doe_secret"),
    "missing_password": request(HAS, b"grant_type=password&username=john_doe&password="),
    "client_store_failure": request(HAS | 0x80, USERNAME_BODY),
    "issuer_failure": request(HAS | 0x40, USERNAME_BODY),
    "with_scope": request(HAS, USERNAME_BODY + b"&scope=read+write"),
    "nul_bytes": request(HAS, b"grant_type=password\x00&username=john_doe&password=john_doe_secret\x00"),
    "empty": b"",
    "flags_only": b"\xff",
}

# The other grants (fuzz/endpoint.cpp's tables: clients 138 and the public spa, codes,
# device codes, refresh tokens). PUBLIC: Content-Type, no Authorization, public clients
# and client_secret_post allowed; PLAIN adds the rfc6749 profile, which also allows plain.
PUBLIC = 0x01 | 0x08
PLAIN = 0x04
VERIFIER = b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 Appendix B
PLAIN_VERIFIER = b"plain-verifier-of-43-characters-0123456789_"
SPA_REDIRECT = b"&redirect_uri=https%3A%2F%2Fspa.example%2Fcb"
DEVICE = b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"


def spa_code(code, verifier=VERIFIER, redirect=SPA_REDIRECT):
    body = b"grant_type=authorization_code&code=" + code + redirect + b"&client_id=spa"
    return body + (b"&code_verifier=" + verifier if verifier else b"")


def spa_device(device_code):
    return DEVICE + b"&device_code=" + device_code + b"&client_id=spa"


endpoint.update({
    "client_credentials": request(HAS, b"grant_type=client_credentials"),
    "client_credentials_scope": request(HAS, b"grant_type=client_credentials&scope=read+write"),
    "client_credentials_post": request(PUBLIC, b"grant_type=client_credentials&client_id=138&client_secret=" + VENDOR_SECRET),
    "client_credentials_public": request(PUBLIC, b"grant_type=client_credentials&client_id=spa"),
    "client_credentials_rfc6749_4.4.2": request(HAS, b"grant_type=client_credentials", target=b"/token", auth=RFC_AUTH),
    "refresh_token": request(HAS, b"grant_type=refresh_token&refresh_token=rt-138"),
    "refresh_token_public": request(PUBLIC, b"grant_type=refresh_token&refresh_token=rt-spa&client_id=spa"),
    "refresh_token_other_client": request(PUBLIC, b"grant_type=refresh_token&refresh_token=rt-138&client_id=spa"),
    "code_public_s256": request(PUBLIC, spa_code(b"code-spa")),
    "code_public_plain": request(PUBLIC | PLAIN, spa_code(b"code-spa-plain", PLAIN_VERIFIER)),
    "code_public_plain_refused": request(PUBLIC, spa_code(b"code-spa-plain", PLAIN_VERIFIER)),
    "code_public_without_pkce": request(PUBLIC, spa_code(b"code-spa-none", b"")),
    "code_confidential": request(HAS, b"grant_type=authorization_code&code=code-138&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"),
    "code_confidential_s256": request(HAS, b"grant_type=authorization_code&code=code-138-s256&code_verifier=" + VERIFIER),
    "code_rfc6749_4.1.3": request(HAS, b"grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb", target=b"/token", auth=RFC_AUTH),
    "code_spent": request(PUBLIC, spa_code(b"code-spent")),
    "code_expired": request(PUBLIC, spa_code(b"code-expired")),
    "code_unknown": request(PUBLIC, spa_code(b"no-such-code")),
    "code_wrong_verifier": request(PUBLIC, spa_code(b"code-spa", b"v" * 43)),
    "code_malformed_verifier": request(PUBLIC, spa_code(b"code-spa", b"short+verifier")),
    "code_missing_verifier": request(PUBLIC, spa_code(b"code-spa", b"")),
    "code_downgrade": request(HAS, b"grant_type=authorization_code&code=code-138&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier=" + VERIFIER),
    "code_redirect_mismatch": request(PUBLIC, spa_code(b"code-spa", VERIFIER, b"&redirect_uri=https%3A%2F%2Fspa.example%2Fcb%2F")),
    "code_other_client": request(HAS, b"grant_type=authorization_code&code=code-spa" + SPA_REDIRECT + b"&code_verifier=" + VERIFIER),
    "code_missing": request(PUBLIC, b"grant_type=authorization_code&client_id=spa"),
    "device_code": request(PUBLIC, spa_device(b"dc-spa")),
    "device_code_confidential": request(HAS, b"grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=dc-138"),
    "device_code_pending": request(PUBLIC, spa_device(b"dc-pending")),
    "device_code_slow_down": request(PUBLIC, spa_device(b"dc-slow")),
    "device_code_denied": request(PUBLIC, spa_device(b"dc-denied")),
    "device_code_expired": request(PUBLIC, spa_device(b"dc-expired")),
    "device_code_other_client": request(HAS, DEVICE + b"&device_code=dc-spa"),
    "device_code_missing": request(PUBLIC, DEVICE + b"&client_id=spa"),
    "device_code_rfc8628_3.4": request(PUBLIC, DEVICE + b"&device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS&client_id=1406020730", target=b"/token"),
})
for name, data in endpoint.items():
    write("endpoint", name, data)

# pkce: first byte % 4 is the mode (0 verifier, 1 verifier mapped into unreserved,
# 2 "verifier\nchallenge", 3 the same with the challenge mapped into base64url); the
# whole first byte also chooses where the SHA-256 hasher cuts the material.
APPENDIX_B_VERIFIER = b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
APPENDIX_B_CHALLENGE = b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def verifier_of(n):
    return bytes(UNRESERVED[(i * 7 + 3) % len(UNRESERVED)] for i in range(n))


pkce = {
    "rfc7636_appendix_b": b"\x00" + APPENDIX_B_VERIFIER,
    "rfc7636_appendix_b_pair": b"\x02" + APPENDIX_B_VERIFIER + b"\n" + APPENDIX_B_CHALLENGE,
    "rfc7636_appendix_b_plain_pair": b"\x06" + APPENDIX_B_VERIFIER + b"\n" + APPENDIX_B_VERIFIER,
    "wrong_last_character": b"\x02" + APPENDIX_B_VERIFIER + b"\n" + APPENDIX_B_CHALLENGE[:-1] + b"N",
    "verifier_42": b"\x00" + verifier_of(42),
    "verifier_43": b"\x00" + verifier_of(43),
    "verifier_128": b"\x00" + verifier_of(128),
    "verifier_129": b"\x00" + verifier_of(129),
    "verifier_space": b"\x00" + APPENDIX_B_VERIFIER[:20] + b" " + APPENDIX_B_VERIFIER[21:],
    "verifier_percent": b"\x00" + verifier_of(40) + b"%7E",
    "verifier_high_bytes": b"\x04" + b"\xff\x80" * 30,
    "mapped_64": b"\x01" + bytes(range(64)),
    "mapped_challenge": b"\x03" + verifier_of(50) + b"\n" + bytes(range(0, 172, 4)),
    "method_s256": b"\x00S256",
    "method_plain": b"\x00plain",
    "method_lowercase": b"\x00s256",
    "nist_abc": b"\x80abc",
    "nist_448_bits": b"\x40abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "nist_896_bits": b"\xc4abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "sha256_55": b"\x10" + b"a" * 55,
    "sha256_56": b"\x20" + b"a" * 56,
    "sha256_64": b"\xfc" + b"a" * 64,
    "sha256_119": b"\x08" + b"b" * 119,
    "sha256_120": b"\x0c" + b"b" * 120,
    "empty": b"\x00",
}
for name, data in pkce.items():
    write("pkce", name, data)

# authorization_request: flags, then method \n target \n Content-Type \n body (fuzz/
# authorization_request.cpp's registry: spa (public, two URIs), web (one URI), native
# (loopback), frag (a URI with a fragment), nowhere (no URI), svc (no code grant)).
# Flags: 1 Content-Type, 2 plain allowed, 4 PKCE required, 8 loopback ports vary,
# 16 tight limits, 32 the registry fails, 64 303, 128 no issuer.
SPA_CB = b"https%3A%2F%2Fspa.example%2Fcb"
S256 = b"&code_challenge=" + APPENDIX_B_CHALLENGE + b"&code_challenge_method=S256"


def authorize(query, flags=0, method=b"GET", content_type=b"", body=b""):
    return bytes([flags]) + method + b"\n/authorize?" + query + b"\n" + content_type + b"\n" + body


authorization_request = {
    "rfc6749_4.1.1": authorize(b"response_type=code&client_id=web&state=xyz&redirect_uri=https%3A%2F%2Fweb%2Eexample%2Fcb"),
    "spa_s256": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"&state=s&scope=read" + S256),
    "spa_post": b"\x01POST\n/authorize\napplication/x-www-form-urlencoded\nresponse_type=code&client_id=spa&redirect_uri="
    + SPA_CB + b"&state=s" + S256,
    "spa_other_query": authorize(b"response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fother%3Flang%3Den" + S256),
    "spa_plain_allowed": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"&code_challenge=" + b"p" * 43, 2),
    "spa_plain_refused": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"&code_challenge=" + b"p" * 43),
    "spa_no_pkce": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"&state=s"),
    "web_pkce_required": authorize(b"response_type=code&client_id=web&state=s", 4),
    "native_loopback": authorize(b"response_type=code&client_id=native&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcb" + S256, 8),
    "unknown_client": authorize(b"response_type=code&client_id=evil&redirect_uri=https%3A%2F%2Fevil.example%2F"),
    "unregistered_uri": authorize(b"response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fevil.example%2Fcb" + S256),
    "uri_with_fragment": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"%23x" + S256),
    "registered_fragment": authorize(b"response_type=code&client_id=frag&state=s"),
    "no_registered_uri": authorize(b"response_type=code&client_id=nowhere"),
    "missing_uri_of_two": authorize(b"response_type=code&client_id=spa" + S256),
    "duplicate_client": authorize(b"response_type=code&client_id=spa&client_id=web&redirect_uri=" + SPA_CB),
    "duplicate_uri": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"&redirect_uri=" + SPA_CB),
    "duplicate_state": authorize(b"response_type=code&client_id=web&state=a&state=b"),
    "control_in_state": authorize(b"response_type=code&client_id=web&state=a%00b%0Ac"),
    "token_response_type": authorize(b"response_type=token&client_id=web&state=s"),
    "svc_unauthorized": authorize(b"response_type=code&client_id=svc&state=s"),
    "bad_scope": authorize(b"response_type=code&client_id=spa&redirect_uri=" + SPA_CB + b"&scope=admin" + S256),
    "state_encoded": authorize(b"response_type=code&client_id=web&state=a+b%26c%3D%F0%9F%94%91%0d%0a"),
    "registry_fails": authorize(b"response_type=code&client_id=web", 32),
    "see_other_no_issuer": authorize(b"response_type=code&client_id=web&state=s", 64 | 128),
    "tight_limits": authorize(b"response_type=code&client_id=web&state=" + b"s" * 200, 16),
    "put": b"\x00PUT\n/authorize?client_id=web\n\n",
    "post_json": b"\x01POST\n/authorize\napplication/json\nclient_id=web",
    "encoded_names": authorize(b"response%5Ftype=code&client%5Fid=web&st%61te=x"),
    "empty": b"\x00GET\n/authorize\n\n",
}
for name, data in authorization_request.items():
    write("authorization_request", name, data)
