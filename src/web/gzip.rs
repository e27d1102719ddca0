//! gzip for the portal's answers, with one deflate and one inflate state
//! kept per thread.
//!
//! Every browser and crawler asks for gzip. actix-web's `Compress` builds a
//! new deflate state for each answer (a few hundred KB, then freed); once
//! glibc's allocator has seen blocks that size freed it serves them from
//! its heap instead of mapping them, and the heap stays fragmented: the
//! portal held 310 MB serving the province to browsers instead of 123 MB
//! to plain clients (issue 15, `scripts/bench.sh`). Here each thread keeps
//! its two states and resets them, and the output is copied out at its
//! exact size.
//!
//! [`compress`] gzips every answer with a body of known size and a textual
//! type for a client that takes gzip; the page cache keeps answers already
//! gzipped ([`gzip`]) and inflates one for a client that does not
//! ([`gunzip`]). Answers streamed as they are written (the exports) keep
//! actix-web's `Compress`, on their own routes.

use std::cell::RefCell;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::HttpServiceFactory;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    AcceptEncoding, CONTENT_ENCODING, CONTENT_TYPE, Encoding, HeaderValue, VARY,
};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, guard};
use flate2::{Compress, Compression, Crc, Decompress, FlushCompress, FlushDecompress, Status};

/// zlib's level (1 fastest … 9 smallest): 1, as actix-web's `Compress`.
/// Level 6 makes answers 5–15 % smaller (a profile of 6.7 KB: 2.6 KB at 1,
/// 2.5 KB at 6; the search page of 15 KB: 3.6 and 3.2 KB) for 1.3–2.4 times
/// the time, paid on every answer the page cache does not keep.
const LEVEL: u32 = 1;

/// A gzip member's header as written here: deflate, no name, no time, no
/// flags, unknown system.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// CRC-32 and length of the uncompressed data, after the deflate stream.
const TRAILER: usize = 8;

/// Bodies smaller than this are sent as they are: gzip's own 18 bytes and
/// the work outweigh what it saves.
const MIN_BODY: usize = 256;

/// A thread's scratch output is dropped when an answer made it larger than
/// this, so one large answer does not pin its size for good.
const MAX_SCRATCH: usize = 1 << 20;

thread_local! {
    static DEFLATE: RefCell<(Compress, Vec<u8>)> =
        RefCell::new((Compress::new(Compression::new(LEVEL), false), Vec::new()));
    static INFLATE: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// `body` as one gzip member.
pub fn gzip(body: &[u8]) -> Option<Bytes> {
    DEFLATE.with_borrow_mut(|(state, scratch)| {
        state.reset();
        scratch.clear();
        scratch.reserve(body.len() / 3 + 64);
        scratch.extend_from_slice(&HEADER);
        loop {
            let read = usize::try_from(state.total_in()).ok()?;
            match state.compress_vec(body.get(read..)?, scratch, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                // Out of room: more, and go on.
                Ok(Status::Ok | Status::BufError) => scratch.reserve(body.len() / 2 + 1024),
                Err(_) => return None,
            }
        }
        let mut crc = Crc::new();
        crc.update(body);
        scratch.extend_from_slice(&crc.sum().to_le_bytes());
        // ISIZE is the length modulo 2³², as RFC 1952 says.
        scratch.extend_from_slice(&(body.len() as u32).to_le_bytes());
        let out = Bytes::copy_from_slice(scratch);
        if scratch.capacity() > MAX_SCRATCH {
            *scratch = Vec::new();
        }
        Some(out)
    })
}

/// A member written by [`gzip`] inflated back to its `len` bytes; `None`
/// when it is not one.
pub fn gunzip(member: &[u8], len: usize) -> Option<Bytes> {
    let deflated = member
        .strip_prefix(&HEADER)?
        .get(..member.len().checked_sub(HEADER.len() + TRAILER)?)?;
    INFLATE.with_borrow_mut(|state| {
        state.reset(false);
        // One byte of room beyond the end, so the end is seen as such.
        let mut out = Vec::with_capacity(len + 1);
        match state.decompress_vec(deflated, &mut out, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) if out.len() == len => Some(out.into()),
            _ => None,
        }
    })
}

/// A body of known size as one piece (most already are).
pub async fn whole<B: MessageBody>(body: B) -> Result<Bytes, actix_web::Error> {
    match body.try_into_bytes() {
        Ok(bytes) => Ok(bytes),
        Err(body) => actix_web::body::to_bytes(body)
            .await
            .map_err(|_| actix_web::error::ErrorInternalServerError("body")),
    }
}

/// Whether the client takes a gzip body: it names gzip with a quality above
/// zero.
pub fn takes_gzip(req: &HttpRequest) -> bool {
    req.get_header::<AcceptEncoding>().is_some_and(|accept| {
        accept.negotiate([Encoding::gzip(), Encoding::identity()].iter()) == Some(Encoding::gzip())
    })
}

/// Whether an answer of this type shrinks under gzip: text, JSON, XML,
/// SVG, scripts; not images or other packed formats.
pub fn compressible(content_type: Option<&HeaderValue>) -> bool {
    let Some(kind) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or_default().trim();
    kind.starts_with("text/")
        || kind.ends_with("json")
        || kind.ends_with("xml")
        || kind == "image/svg+xml"
        || kind == "application/javascript"
}

/// Middleware: gzips an answer whose body has a known size and a
/// compressible type for a client that takes gzip; says `Vary:
/// Accept-Encoding` once on every answer of such a type, gzipped or not,
/// streamed or not. Answers that already name an encoding (the page
/// cache's, the exports') pass as they are. Other clients get the plain answer (deflate alone, or brotli,
/// is not offered: every client that sends one of those takes gzip too).
pub async fn compress(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    if !compressible(res.headers().get(CONTENT_TYPE)) {
        return Ok(res);
    }
    let said = res.headers().get_all(VARY).any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !said {
        res.headers_mut()
            .append(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    let size = match res.response().body().size() {
        BodySize::Sized(n) => usize::try_from(n).unwrap_or(usize::MAX),
        _ => return Ok(res),
    };
    if size < MIN_BODY || res.headers().contains_key(CONTENT_ENCODING) || !takes_gzip(res.request())
    {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let plain = whole(body).await?;
    let Some(gzipped) = gzip(&plain) else {
        return Ok(ServiceResponse::new(
            req,
            head.set_body(plain).map_into_boxed_body(),
        ));
    };
    let mut res = head.set_body(gzipped).map_into_boxed_body();
    res.headers_mut()
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    Ok(ServiceResponse::new(req, res))
}

/// A GET resource whose answer is streamed as it is written (the exports):
/// [`compress`] only takes answers of known size, so these are compressed
/// by actix-web's `Compress` as they go. The guard keeps other methods
/// falling through to the 404 a plain route gives them.
pub fn streamed(
    resource: actix_web::Resource,
    route: actix_web::Route,
) -> impl HttpServiceFactory + 'static {
    resource
        .guard(guard::Get())
        .wrap(actix_web::middleware::Compress::default())
        .route(route)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn page(len: usize) -> Vec<u8> {
        let line = "<p>Zhang Xiuying 张秀英 competent</p>\n".as_bytes();
        (0..len).map(|i| line[i % line.len()]).collect()
    }

    #[test]
    fn a_member_is_read_back_by_a_standard_gzip_reader_and_by_gunzip() {
        for len in [0, 1, 255, 4_096, 15_000, 300_000, 2_000_000] {
            let body = page(len);
            let member = gzip(&body).unwrap();
            let mut read = Vec::new();
            flate2::read::GzDecoder::new(&member[..])
                .read_to_end(&mut read)
                .unwrap();
            assert_eq!(read, body, "{len} bytes through flate2's reader");
            assert_eq!(gunzip(&member, len).unwrap(), body, "{len} bytes back");
            if len >= 4_096 {
                assert!(member.len() < len / 4, "{len} bytes → {}", member.len());
            }
        }
    }

    #[test]
    fn the_states_are_reset_between_answers() {
        let (a, b) = (page(20_000), b"{\"name\":\"\xe5\xbc\xa0\"}".repeat(500));
        let first = gzip(&a).unwrap();
        gzip(&b).unwrap();
        assert_eq!(gzip(&a).unwrap(), first);
        assert_eq!(gunzip(&gzip(&b).unwrap(), b.len()).unwrap(), b);
        assert_eq!(gunzip(&first, a.len()).unwrap(), a);
    }

    #[test]
    fn what_is_not_a_member_of_that_length_is_refused() {
        let member = gzip(&page(5_000)).unwrap();
        assert!(gunzip(&member, 4_999).is_none());
        assert!(gunzip(&member, 5_001).is_none());
        assert!(gunzip(&member[..member.len() - 20], 5_000).is_none());
        assert!(gunzip(&member[1..], 5_000).is_none());
        assert!(gunzip(b"", 0).is_none());
    }

    #[test]
    fn only_text_like_types_are_compressed() {
        for (kind, yes) in [
            ("text/html; charset=utf-8", true),
            ("application/json", true),
            ("application/ld+json", true),
            ("application/problem+json", true),
            ("application/atom+xml", true),
            ("image/svg+xml", true),
            ("text/csv; charset=utf-8", true),
            ("image/png", false),
            ("application/octet-stream", false),
        ] {
            assert_eq!(
                compressible(Some(&HeaderValue::from_static(kind))),
                yes,
                "{kind}"
            );
        }
        assert!(!compressible(None));
    }
}
