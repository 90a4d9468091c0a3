"""The audit log in words: each action as a Vietnamese sentence, each detail as "label: value".

The log stores identifiers (`password_changed`, `{"by": "self"}`) so that it is hashed and
searched exactly; people read these sentences instead. Every action recorded anywhere in the code
has its sentence here (tests/test_sentences.py reads the code to check); an action or a detail
this table does not know still reads as words, never as a dict.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.organizations.models import Role

ACTIONS: dict[str, Any] = {
    "admin_add": gettext_lazy("Thêm mới trong trang quản trị hệ thống."),
    "admin_change": gettext_lazy("Sửa trong trang quản trị hệ thống."),
    "admin_delete": gettext_lazy("Xóa trong trang quản trị hệ thống."),
    "api_token_issued": gettext_lazy("Cấp mã truy cập API."),
    "api_token_revoked": gettext_lazy("Thu hồi mã truy cập API."),
    "archive_access_decided": gettext_lazy("Quyết định về yêu cầu khai thác hồ sơ lưu trữ."),
    "archive_access_requested": gettext_lazy("Đề nghị khai thác hồ sơ lưu trữ."),
    "archivist_appointed": gettext_lazy("Giao nhiệm vụ lưu trữ cho cán bộ."),
    "calendar_day_removed": gettext_lazy("Bỏ một ngày khỏi lịch ngày nghỉ, ngày làm bù."),
    "calendar_day_set": gettext_lazy("Đặt ngày nghỉ hoặc ngày làm bù trên lịch."),
    "calendar_feed_created": gettext_lazy("Tạo đường dẫn lịch công tác để đồng bộ."),
    "calendar_feed_renewed": gettext_lazy("Đổi đường dẫn lịch công tác (đường dẫn cũ hết hiệu lực)."),
    "calendar_year_seeded": gettext_lazy("Tạo lịch ngày nghỉ của năm."),
    "case_file_closed": gettext_lazy("Kết thúc hồ sơ công việc."),
    "case_file_document_added": gettext_lazy("Đưa văn bản vào hồ sơ."),
    "case_file_item_removed": gettext_lazy("Rút một văn bản, tài liệu khỏi hồ sơ."),
    "case_file_opened": gettext_lazy("Mở hồ sơ công việc."),
    "case_file_ordered": gettext_lazy("Sắp xếp lại thứ tự văn bản trong hồ sơ."),
    "case_file_planned": gettext_lazy("Lập hồ sơ theo danh mục."),
    "case_file_record_added": gettext_lazy("Đưa tài liệu vào hồ sơ."),
    "case_file_reopened": gettext_lazy("Mở lại hồ sơ đã kết thúc."),
    "case_files_disposed": gettext_lazy("Hủy hồ sơ hết giá trị theo quyết định."),
    "course_attendance_recorded": gettext_lazy("Ghi điểm danh lớp bồi dưỡng."),
    "course_created": gettext_lazy("Tạo lớp bồi dưỡng."),
    "course_enrolled": gettext_lazy("Ghi danh học viên vào lớp bồi dưỡng."),
    "course_invitation_set": gettext_lazy("Giao chỉ tiêu cử học viên cho tổ chức."),
    "course_nominated": gettext_lazy("Cử người đi học lớp bồi dưỡng."),
    "course_result_recorded": gettext_lazy("Ghi kết quả học tập của học viên."),
    "delegation_created": gettext_lazy("Ủy quyền duyệt và ký văn bản cho cấp phó trong một thời gian."),
    "delegation_revoked": gettext_lazy("Thu hồi ủy quyền duyệt và ký văn bản."),
    "delivery_accepted": gettext_lazy("Tiếp nhận văn bản đến."),
    "delivery_assigned": gettext_lazy("Giao xử lý văn bản đến."),
    "delivery_rejected": gettext_lazy("Từ chối tiếp nhận văn bản."),
    "demo_members_seeded": gettext_lazy("Tạo dữ liệu đảng viên mẫu."),
    "demo_organizations_created": gettext_lazy("Tạo các tổ chức mẫu."),
    "demo_seeded": gettext_lazy("Tạo dữ liệu mẫu."),
    "directive_created": gettext_lazy("Ban hành chỉ đạo, giao nhiệm vụ."),
    "document_approved": gettext_lazy("Duyệt văn bản."),
    "document_drafted": gettext_lazy("Soạn dự thảo văn bản."),
    "document_edited": gettext_lazy("Sửa dự thảo văn bản."),
    "document_issued": gettext_lazy("Phát hành văn bản."),
    "document_numbered": gettext_lazy("Cấp số văn bản."),
    "document_recipients_changed": gettext_lazy("Đổi nơi nhận của văn bản."),
    "document_returned": gettext_lazy("Trả lại dự thảo để sửa."),
    "document_share_withdrawn": gettext_lazy("Thu hồi việc chia sẻ văn bản."),
    "document_shared": gettext_lazy("Chia sẻ văn bản cho một người trong đơn vị."),
    "document_signed": gettext_lazy("Ký số văn bản."),
    "document_submitted": gettext_lazy("Trình duyệt văn bản."),
    "exchange_document_received": gettext_lazy("Nhận văn bản qua hệ thống liên thông."),
    "exchange_message_failed": gettext_lazy("Gửi qua hệ thống liên thông không thành công."),
    "exchange_package_refused": gettext_lazy("Từ chối gói tin nhận qua hệ thống liên thông."),
    "exchange_message_resent": gettext_lazy("Gửi lại qua hệ thống liên thông."),
    "exchange_message_sent": gettext_lazy("Gửi qua hệ thống liên thông."),
    "exchange_recall_requested": gettext_lazy("Nhận đề nghị thu hồi văn bản qua hệ thống liên thông."),
    "exchange_request_answered": gettext_lazy("Trả lời đề nghị qua hệ thống liên thông."),
    "exchange_status_received": gettext_lazy("Nhận trạng thái xử lý văn bản từ hệ thống liên thông."),
    "file_heading_added": gettext_lazy("Thêm đề mục vào danh mục hồ sơ."),
    "file_list_created": gettext_lazy("Lập danh mục hồ sơ của năm."),
    "handling_completed": gettext_lazy("Hoàn thành xử lý văn bản."),
    "handling_started": gettext_lazy("Bắt đầu xử lý văn bản."),
    "handover_prepared": gettext_lazy("Lập mục lục hồ sơ nộp lưu."),
    "handover_signed": gettext_lazy("Ký biên bản giao nộp hồ sơ."),
    "inspection_planned": gettext_lazy("Lập kế hoạch kiểm tra."),
    "inspection_scored": gettext_lazy("Chấm điểm kiểm tra."),
    "inspection_signed": gettext_lazy("Ký biên bản kiểm tra."),
    "inventory_confirmed": gettext_lazy("Xác nhận kiểm kê thiết bị."),
    "inventory_review_started": gettext_lazy("Mở đợt kiểm kê thiết bị."),
    "ldap_role_granted": gettext_lazy("Cấp vai trò theo nhóm trong thư mục LDAP."),
    "ldap_role_withdrawn": gettext_lazy("Thu hồi vai trò vì không còn trong nhóm của thư mục LDAP."),
    "legacy_document_entered": gettext_lazy("Vào sổ văn bản cũ (trước khi dùng hệ thống)."),
    "legacy_import_finished": gettext_lazy("Xong một lượt chuyển dữ liệu từ Lotus Notes."),
    "legacy_import_queued": gettext_lazy("Đưa một lượt chuyển dữ liệu từ Lotus Notes vào hàng đợi."),
    "legacy_record_imported": gettext_lazy("Chuyển một hồ sơ từ Lotus Notes."),
    "legacy_record_updated": gettext_lazy("Cập nhật một hồ sơ đã chuyển từ Lotus Notes."),
    "legacy_verification_queued": gettext_lazy("Đưa việc đối chiếu dữ liệu Lotus Notes vào hàng đợi."),
    "long_term_evidence_added": gettext_lazy("Thêm dấu thời gian bảo đảm giá trị lâu dài của chữ ký."),
    "long_term_evidence_renewed": gettext_lazy("Gia hạn dấu thời gian bảo đảm giá trị lâu dài của chữ ký."),
    "meeting_answered": gettext_lazy("Trả lời giấy mời họp."),
    "meeting_created": gettext_lazy("Tạo cuộc họp và gửi giấy mời."),
    "notification_preferences_changed": gettext_lazy("Đổi cách nhận thông báo."),
    "paper_document_registered": gettext_lazy("Vào sổ văn bản giấy."),
    "party_committee_term_added": gettext_lazy("Thêm nhiệm kỳ cấp ủy."),
    "party_incoming_transfer_viewed": gettext_lazy("Xem hồ sơ đảng viên chuyển đến từ hệ thống khác."),
    "party_incoming_transfers_listed": gettext_lazy("Xem danh sách đảng viên chuyển đến từ hệ thống khác."),
    "party_member_created": gettext_lazy("Thêm hồ sơ đảng viên."),
    "party_member_history_viewed": gettext_lazy("Xem quá trình của đảng viên."),
    "party_member_id_revealed": gettext_lazy("Xem số định danh cá nhân của đảng viên."),
    "party_member_ranked": gettext_lazy("Ghi xếp loại đảng viên."),
    "party_member_status_changed": gettext_lazy("Đổi tình trạng đảng viên."),
    "party_member_updated": gettext_lazy("Sửa hồ sơ đảng viên."),
    "party_member_viewed": gettext_lazy("Xem hồ sơ đảng viên."),
    "party_members_exported": gettext_lazy("Xuất danh sách đảng viên."),
    "party_members_import_checked": gettext_lazy("Kiểm tra tệp nhập đảng viên."),
    "party_members_import_rejected": gettext_lazy("Từ chối tệp nhập đảng viên vì có lỗi."),
    "party_members_imported": gettext_lazy("Nhập danh sách đảng viên."),
    "party_members_listed": gettext_lazy("Xem danh sách đảng viên."),
    "party_organization_changed": gettext_lazy("Thay đổi tổ chức đảng."),
    "party_organization_ranked": gettext_lazy("Ghi xếp loại tổ chức đảng."),
    "party_organization_saved": gettext_lazy("Lưu thông tin tổ chức đảng."),
    "party_rankings_import_rejected": gettext_lazy("Từ chối tệp nhập xếp loại vì có lỗi."),
    "party_rankings_imported": gettext_lazy("Nhập kết quả xếp loại."),
    "party_rankings_viewed": gettext_lazy("Xem kết quả xếp loại."),
    "party_statistics_exported": gettext_lazy("Xuất thống kê đảng viên."),
    "party_statistics_viewed": gettext_lazy("Xem thống kê đảng viên."),
    "party_transfer_accepted": gettext_lazy("Tiếp nhận đảng viên chuyển sinh hoạt đến."),
    "party_transfer_accepted_by_peer": gettext_lazy("Nơi nhận ở hệ thống khác đã tiếp nhận đảng viên chuyển sinh hoạt."),
    "party_transfer_cancelled": gettext_lazy("Hủy giấy giới thiệu chuyển sinh hoạt đảng."),
    "party_transfer_issued": gettext_lazy("Cấp giấy giới thiệu chuyển sinh hoạt đảng."),
    "party_transfer_received": gettext_lazy("Nhận hồ sơ đảng viên chuyển sinh hoạt từ hệ thống khác."),
    "party_transfer_record_sent": gettext_lazy("Gửi hồ sơ đảng viên kèm giấy giới thiệu chuyển sinh hoạt."),
    "party_transfer_refused": gettext_lazy("Từ chối tiếp nhận đảng viên chuyển sinh hoạt đến."),
    "party_transfer_refused_by_peer": gettext_lazy("Nơi nhận ở hệ thống khác từ chối tiếp nhận đảng viên chuyển sinh hoạt."),
    "party_transfers_listed": gettext_lazy("Xem danh sách chuyển sinh hoạt đảng."),
    "password_changed": gettext_lazy("Đổi mật khẩu."),
    "peer_registered": gettext_lazy("Đăng ký hệ thống liên thông."),
    "permission_denied": gettext_lazy("Bị từ chối vì không có quyền."),
    "person_created": gettext_lazy("Thêm người dùng."),
    "person_deactivated": gettext_lazy("Khóa tài khoản người dùng."),
    "organization_settings_changed": gettext_lazy("Sửa thông tin của tổ chức."),
    "person_reactivated": gettext_lazy("Mở lại tài khoản người dùng."),
    "person_roles_changed": gettext_lazy("Đổi vai trò của người dùng."),
    "recommendation_added": gettext_lazy("Thêm kiến nghị sau kiểm tra."),
    "recommendation_closed": gettext_lazy("Kết thúc theo dõi kiến nghị."),
    "recommendation_reported": gettext_lazy("Báo cáo thực hiện kiến nghị."),
    "records_role_granted": gettext_lazy("Giao quyền quản lý hồ sơ đảng viên."),
    "records_role_revoked": gettext_lazy("Thu hồi quyền quản lý hồ sơ đảng viên."),
    "recovery_code_used": gettext_lazy("Đăng nhập bằng mã dự phòng."),
    "recovery_codes_regenerated": gettext_lazy("Tạo bộ mã dự phòng mới (mã cũ hết hiệu lực)."),
    "regulation_acknowledged": gettext_lazy("Xác nhận đã đọc quy chế."),
    "regulation_laggards_reminded": gettext_lazy("Nhắc những người chưa đọc quy chế."),
    "regulation_published": gettext_lazy("Phổ biến quy chế."),
    "regulation_study_session_confirmed": gettext_lazy("Xác nhận buổi học tập quy chế."),
    "report_export_requested": gettext_lazy("Yêu cầu xuất báo cáo."),
    "schedule_approved": gettext_lazy("Duyệt lịch công tác tuần."),
    "schedule_entry_added": gettext_lazy("Thêm mục vào lịch công tác."),
    "schedule_entry_cancelled": gettext_lazy("Hủy một mục của lịch công tác."),
    "schedule_entry_changed": gettext_lazy("Sửa một mục của lịch công tác."),
    "schedule_published": gettext_lazy("Công bố lịch công tác tuần."),
    "sign_in_failed": gettext_lazy("Đăng nhập không thành công."),
    "sign_in_refused_locked": gettext_lazy("Từ chối đăng nhập vì tài khoản hoặc máy đang bị khóa."),
    "sign_in_unlocked": gettext_lazy("Mở khóa đăng nhập."),
    "signatory_added": gettext_lazy("Giao thẩm quyền ký."),
    "signatory_changed": gettext_lazy("Sửa thẩm quyền ký."),
    "signature_check_failed": gettext_lazy("Kiểm tra chữ ký số không đạt."),
    "signatures_verified": gettext_lazy("Kiểm tra chữ ký số."),
    "signed_in": gettext_lazy("Đăng nhập thành công."),
    "signed_out_everywhere": gettext_lazy("Đăng xuất khỏi mọi nơi và thu hồi mọi mã truy cập API."),
    "signing_certificate_imported": gettext_lazy("Nhập chứng thư số ký văn bản."),
    "signing_certificate_registered": gettext_lazy("Đăng ký chứng thư số ký văn bản."),
    "sso_user_provisioned": gettext_lazy("Tạo tài khoản khi đăng nhập lần đầu qua hệ thống dùng chung."),
    "task_accepted": gettext_lazy("Nhận nhiệm vụ được giao."),
    "task_confirmed": gettext_lazy("Xác nhận hoàn thành nhiệm vụ."),
    "task_extension_asked": gettext_lazy("Xin gia hạn nhiệm vụ."),
    "task_extension_decided": gettext_lazy("Quyết định gia hạn nhiệm vụ."),
    "task_reported": gettext_lazy("Báo cáo tiến độ nhiệm vụ."),
    "task_sent_back": gettext_lazy("Trả lại báo cáo nhiệm vụ để làm tiếp."),
    "tasks_retried": gettext_lazy("Chạy lại các việc nền bị lỗi."),
    "training_plan_set": gettext_lazy("Đặt kế hoạch bồi dưỡng."),
    "trust_root_added": gettext_lazy("Thêm chứng thư gốc tin cậy."),
    "trust_root_disabled": gettext_lazy("Ngừng tin cậy một chứng thư gốc."),
    "trust_root_enabled": gettext_lazy("Tin cậy lại một chứng thư gốc."),
    "two_factor_enabled": gettext_lazy("Bật xác thực hai lớp."),
    "two_factor_policy_changed": gettext_lazy("Đổi các vai trò bắt buộc xác thực hai lớp."),
    "two_factor_reset": gettext_lazy("Đặt lại xác thực hai lớp (mất điện thoại)."),
}

# What each key of an entry's details means.
LABELS: dict[str, Any] = {
    "address": gettext_lazy("Địa chỉ máy"),
    "after": gettext_lazy("Sau"),
    "answer": gettext_lazy("Trả lời"),
    "approved": gettext_lazy("Đồng ý"),
    "attended": gettext_lazy("Có mặt"),
    "attendees": gettext_lazy("Người tham dự"),
    "authority": gettext_lazy("Thẩm quyền ký"),
    "automatic": gettext_lazy("Tự động"),
    "before": gettext_lazy("Trước"),
    "business_type": gettext_lazy("Loại nghiệp vụ"),
    "by": gettext_lazy("Người thực hiện"),
    "case_file": gettext_lazy("Hồ sơ"),
    "case_files": gettext_lazy("Hồ sơ"),
    "certificate": gettext_lazy("Chứng chỉ"),
    "changed": gettext_lazy("Đã thay đổi"),
    "changes": gettext_lazy("Thay đổi"),
    "cleared": gettext_lazy("Số lần sai được xóa"),
    "co": gettext_lazy("Phối hợp"),
    "code": gettext_lazy("Ký hiệu"),
    "content": gettext_lazy("Nội dung"),
    "content_sha256": gettext_lazy("Mã băm nội dung"),
    "contents_sheet": gettext_lazy("Mục lục văn bản"),
    "count": gettext_lazy("Số lượng"),
    "created": gettext_lazy("Tạo mới"),
    "current": gettext_lazy("Hiện tại"),
    "date": gettext_lazy("Ngày"),
    "day": gettext_lazy("Ngày"),
    "days": gettext_lazy("Số ngày"),
    "deadline": gettext_lazy("Hạn xử lý"),
    "decision": gettext_lazy("Quyết định"),
    "deliveries": gettext_lazy("Lượt gửi văn bản"),
    "disabled": gettext_lazy("Tắt đăng nhập bằng mật khẩu"),
    "document": gettext_lazy("Văn bản"),
    "document_id": gettext_lazy("Văn bản số"),
    "documents": gettext_lazy("Văn bản"),
    "done": gettext_lazy("Đã xong"),
    "dry_run": gettext_lazy("Chạy thử"),
    "due": gettext_lazy("Hạn"),
    "due_before": gettext_lazy("Hạn trước đó"),
    "due_date": gettext_lazy("Hạn"),
    "end": gettext_lazy("Kết thúc"),
    "error": gettext_lazy("Lỗi"),
    "errors": gettext_lazy("Lỗi"),
    "fields": gettext_lazy("Trường đã sửa"),
    "file": gettext_lazy("Tệp"),
    "file_list": gettext_lazy("Danh mục hồ sơ"),
    "fingerprint": gettext_lazy("Dấu vân tay chứng thư"),
    "fmt": gettext_lazy("Định dạng"),
    "for": gettext_lazy("Mục đích"),
    "form": gettext_lazy("Mẫu"),
    "format": gettext_lazy("Định dạng"),
    "from": gettext_lazy("Từ"),
    "full_name": gettext_lazy("Họ và tên"),
    "grade": gettext_lazy("Xếp loại"),
    "granted": gettext_lazy("Chấp thuận"),
    "held_on": gettext_lazy("Ngày tổ chức"),
    "ids": gettext_lazy("Mã việc"),
    "incoming_number": gettext_lazy("Số đến"),
    "informed": gettext_lazy("Để biết"),
    "inspection_id": gettext_lazy("Đợt kiểm tra"),
    "invited": gettext_lazy("Được mời"),
    "issuer": gettext_lazy("Hệ thống cấp"),
    "item": gettext_lazy("Mục"),
    "items": gettext_lazy("Các mục"),
    "kind": gettext_lazy("Loại"),
    "main": gettext_lazy("Chủ trì"),
    "member": gettext_lazy("Đảng viên"),
    "members": gettext_lazy("Đảng viên"),
    "message": gettext_lazy("Nội dung"),
    "method": gettext_lazy("Cách thức"),
    "name": gettext_lazy("Tên"),
    "note": gettext_lazy("Ghi chú"),
    "number": gettext_lazy("Số"),
    "object": gettext_lazy("Đối tượng"),
    "officers": gettext_lazy("Cán bộ"),
    "on": gettext_lazy("Ngày"),
    "on_time": gettext_lazy("Đúng hạn"),
    "organization": gettext_lazy("Tổ chức"),
    "organization_id": gettext_lazy("Tổ chức"),
    "organizations": gettext_lazy("Tổ chức"),
    "owner": gettext_lazy("Chủ sở hữu"),
    "page": gettext_lazy("Trang"),
    "pages": gettext_lazy("Số trang"),
    "params": gettext_lazy("Tham số"),
    "party_kind": gettext_lazy("Loại tổ chức đảng"),
    "passed": gettext_lazy("Đạt"),
    "path": gettext_lazy("Trang"),
    "peer": gettext_lazy("Hệ thống liên thông"),
    "people": gettext_lazy("Số người"),
    "person": gettext_lazy("Người"),
    "planned": gettext_lazy("Kế hoạch"),
    "planned_on": gettext_lazy("Ngày dự kiến"),
    "position": gettext_lazy("Chức vụ"),
    "previous": gettext_lazy("Trước đó"),
    "progress": gettext_lazy("Tiến độ"),
    "quiz_score": gettext_lazy("Điểm trắc nghiệm"),
    "quota": gettext_lazy("Chỉ tiêu"),
    "ranked": gettext_lazy("Số được xếp loại"),
    "reason": gettext_lazy("Lý do"),
    "reasons": gettext_lazy("Lý do"),
    "recipients": gettext_lazy("Nơi nhận"),
    "record": gettext_lazy("Biên bản"),
    "register": gettext_lazy("Sổ"),
    "replaced": gettext_lazy("Thay thế"),
    "retention": gettext_lazy("Thời hạn bảo quản"),
    "roles": gettext_lazy("Vai trò"),
    "rows": gettext_lazy("Số dòng"),
    "run": gettext_lazy("Lượt chuyển"),
    "schedule": gettext_lazy("Lịch"),
    "score": gettext_lazy("Điểm"),
    "scores": gettext_lazy("Điểm"),
    "sealed_file": gettext_lazy("Tệp đã niêm phong"),
    "searched": gettext_lazy("Tìm theo"),
    "seats": gettext_lazy("Số ủy viên"),
    "sequence": gettext_lazy("Lần sửa"),
    "sha256": gettext_lazy("Mã băm"),
    "shown": gettext_lazy("Số dòng hiển thị"),
    "side": gettext_lazy("Bên"),
    "signer": gettext_lazy("Người ký"),
    "site": gettext_lazy("Địa điểm"),
    "site_id": gettext_lazy("Mã hệ thống"),
    "size": gettext_lazy("Dung lượng"),
    "start": gettext_lazy("Bắt đầu"),
    "starts_at": gettext_lazy("Bắt đầu lúc"),
    "state": gettext_lazy("Trạng thái"),
    "status": gettext_lazy("Trạng thái"),
    "status_code": gettext_lazy("Mã trạng thái"),
    "storage": gettext_lazy("Nơi lưu khóa"),
    "subject": gettext_lazy("Trích yếu"),
    "symbol": gettext_lazy("Số, ký hiệu"),
    "targets": gettext_lazy("Đối tượng"),
    "tasks": gettext_lazy("Nhiệm vụ"),
    "term": gettext_lazy("Nhiệm kỳ"),
    "tet_rule": gettext_lazy("Cách tính nghỉ Tết"),
    "timestamp_at": gettext_lazy("Thời điểm gắn dấu thời gian"),
    "timestamp_expires": gettext_lazy("Dấu thời gian hết hạn"),
    "timestamps": gettext_lazy("Dấu thời gian"),
    "title": gettext_lazy("Tên"),
    "to": gettext_lazy("Đến"),
    "tokens_revoked": gettext_lazy("Số mã truy cập API bị thu hồi"),
    "unid": gettext_lazy("Mã Lotus Notes"),
    "until": gettext_lazy("Đến ngày"),
    "updated": gettext_lazy("Cập nhật"),
    "user": gettext_lazy("Người dùng"),
    "user_id": gettext_lazy("Người dùng"),
    "username": gettext_lazy("Tên đăng nhập"),
    "users": gettext_lazy("Người dùng"),
    "version": gettext_lazy("Phiên bản"),
    "week": gettext_lazy("Tuần"),
    "working_days": gettext_lazy("Số ngày làm việc"),
    "year": gettext_lazy("Năm"),
    "active": gettext_lazy("Đang có thẩm quyền"),
    "on_behalf_of": gettext_lazy("Thay mặt, ký thay cho"),
    "valid_from": gettext_lazy("Thẩm quyền từ ngày"),
    "valid_to": gettext_lazy("Thẩm quyền đến ngày"),
}

# Codes that appear as values (who changed a password, how someone signed in, roles).
VALUES: dict[str, Any] = {
    "self": gettext_lazy("chính người đó"),
    "administrator": gettext_lazy("quản trị"),
    "command": gettext_lazy("lệnh quản trị trên máy chủ"),
    "password": gettext_lazy("mật khẩu"),
    "totp": gettext_lazy("mã xác thực 6 số"),
    "recovery_code": gettext_lazy("mã dự phòng"),
    "sso": gettext_lazy("đăng nhập dùng chung"),
    "oidc": gettext_lazy("đăng nhập dùng chung"),
    "none": gettext_lazy("không có lớp thứ hai"),
    "wrong_password": gettext_lazy("sai mật khẩu"),
    "wrong_otp": gettext_lazy("sai mã xác thực"),
    **dict(Role.choices),
}



def _words(code: str) -> str:
    """An identifier no table knows, as words: `case_file_opened` → "case file opened"."""
    return code.replace("_", " ").replace(".", " ").strip()


def action_sentence(action: str) -> str:
    known = ACTIONS.get(action)
    if known is not None:
        return str(known)
    return _("Hành động khác: %(name)s.") % {"name": _words(action)}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value(v)}" for k, v in value.items())
    if isinstance(value, str) and value in VALUES:
        return str(VALUES[value])
    return str(value)


def _label(key: str) -> str:
    known = LABELS.get(key)
    return str(known) if known is not None else _words(key).capitalize()


def _change(value: Any) -> str:
    # {"field": [before, after]}: what changed, from what to what.
    if isinstance(value, dict) and all(isinstance(v, list) and len(v) == 2 for v in value.values()):
        return "; ".join(f"{_label(k)}: {_value(a)} → {_value(b)}" for k, (a, b) in value.items())
    return _value(value)


def details(data: dict | None) -> str:
    """An entry's details as one line of "label: value" parts, ending in a full stop."""
    if not data:
        return ""
    parts = [f"{_label(k)}: {_change(v) if k == 'changes' else _value(v)}" for k, v in data.items()]
    return "; ".join(parts) + "."


def object_label(object_type: str, object_id: str) -> str:
    """"Người dùng #12" rather than "accounts.user 12"."""
    if not object_type:
        return ""
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
        name = name[:1].upper() + name[1:]
    except (LookupError, ValueError):
        name = _words(object_type.rsplit(".", 1)[-1]).capitalize()
    return f"{name} #{object_id}" if object_id else name
